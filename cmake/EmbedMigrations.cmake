# Generates a C++ source holding every storage/migrations/NNN_*.sql file, in order, as string literals.
# Invoked at build time: cmake -DSOURCE_DIR=... -DOUTPUT=... -P EmbedMigrations.cmake
file(GLOB files "${SOURCE_DIR}/*.sql")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  file(READ "${f}" sql)
  get_filename_component(name "${f}" NAME)
  string(APPEND body "  {\"${name}\", R\"boutique_sql(${sql})boutique_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from storage/migrations by cmake/EmbedMigrations.cmake. Do not edit.\n"
"#include \"storage/migrations.hpp\"\n\n"
"namespace boutique::storage {\n\n"
"const std::vector<migration>& migrations() {\n"
"  static const std::vector<migration> all = {\n${body}  };\n"
"  return all;\n}\n\n}  // namespace boutique::storage\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
