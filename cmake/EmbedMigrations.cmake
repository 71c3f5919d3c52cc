# Generates a C++ source holding every storage/migrations/NNN_*.sql file, in order, as string literals.
# Invoked at build time: cmake -DSOURCE_DIR=... -DOUTPUT=... [-DFUNCTION=name] -P EmbedMigrations.cmake
# FUNCTION: the function returning them (default `migrations`; PostgreSQL's are `postgresql_migrations`).
if(NOT FUNCTION)
  set(FUNCTION migrations)
endif()
file(GLOB files "${SOURCE_DIR}/*.sql")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  file(READ "${f}" sql)
  get_filename_component(name "${f}" NAME)
  string(APPEND body "  {\"${name}\", R\"boutique_sql(${sql})boutique_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${SOURCE_DIR} by cmake/EmbedMigrations.cmake. Do not edit.\n"
"#include \"storage/migrations.hpp\"\n\n"
"namespace boutique::storage {\n\n"
"const std::vector<migration>& ${FUNCTION}() {\n"
"  static const std::vector<migration> all = {\n${body}  };\n"
"  return all;\n}\n\n}  // namespace boutique::storage\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
