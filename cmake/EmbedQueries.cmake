# Generates a C++ header holding the named statements of one storage/queries/*.sql file as string constants:
# storage/queries/bills.sql gives namespace boutique::storage::sql::bills, one `inline constexpr const char*` a
# statement, so that a misspelt name fails the build.
# Invoked at build time: cmake -DINPUT=.../bills.sql -DOUTPUT=.../bills.hpp -P EmbedQueries.cmake
#
# With -DDIALECT=postgresql (storage/queries/postgresql/bills.sql): the statements PostgreSQL reads otherwise, each
# under the name of the statement of storage/queries/bills.sql it replaces, in namespace
# boutique::storage::sql::postgresql::bills, and `replaced`, the pairs {SQLite text, PostgreSQL text} that
# storage/postgres_dialect.cpp looks up; a name that storage/queries/bills.sql lacks fails the build.
#
# The file's format: each statement follows a line `-- name: NAME` (NAME a C++ identifier, once a file) and runs
# to the next such line. Other lines starting with `--` are comments and blank lines are passed over. A statement's
# lines are stripped and joined by one space, and its final `;` dropped: the constant is the SQL on one line.
# Refused (the build stops): a statement before any name, a name without a statement or given twice, a second
# statement under one name (SQLite would prepare the first and ignore the rest), a comment after SQL on a line (it
# would swallow the lines joined after it). The text is not parsed as SQL: a `;` before the end or a `--` within a
# statement is refused even inside a string literal.
cmake_minimum_required(VERSION 3.25)  # script mode: IN_LIST and today's rules

get_filename_component(module "${INPUT}" NAME_WE)
if(NOT module MATCHES "^[a-z_][a-z0-9_]*$")
  message(FATAL_ERROR "${INPUT}: the file name must be a C++ identifier in lower case (it names the namespace)")
endif()

file(READ "${INPUT}" text)
string(REPLACE "\r\n" "\n" text "${text}")

# Lines are taken one by one with string(FIND), not as a CMake list: a list would split a line at each `;` and join
# lines across an unmatched `[`.
set(names "")
set(body "")
set(pairs "")
set(listed "")
set(name "")
set(statement "")
set(name_line 0)
set(line_number 0)

function(close_statement)
  if(name STREQUAL "")
    return()
  endif()
  if(statement STREQUAL "")
    message(FATAL_ERROR "${INPUT}:${name_line}: '${name}' has no statement")
  endif()
  string(REGEX REPLACE "[ \t]*;$" "" sql "${statement}")
  string(FIND "${sql}" ";" semicolon)
  if(NOT semicolon EQUAL -1)
    message(FATAL_ERROR "${INPUT}:${name_line}: '${name}' holds more than one statement (a ';' before its end); "
                        "give each its own `-- name:` line")
  endif()
  string(FIND "${sql}" ")boutique_sql\"" delimiter)
  if(NOT delimiter EQUAL -1)
    message(FATAL_ERROR "${INPUT}:${name_line}: '${name}' contains the raw string's delimiter")
  endif()
  string(APPEND body "inline constexpr const char* ${name} = R\"boutique_sql(${sql})boutique_sql\";\n")
  set(body "${body}" PARENT_SCOPE)
  string(APPEND pairs "  {sql::${module}::${name}, ${name}},\n")
  string(APPEND listed "  ${name},\n")
  set(listed "${listed}" PARENT_SCOPE)
  set(pairs "${pairs}" PARENT_SCOPE)
endfunction()

set(rest "${text}\n")
while(NOT rest STREQUAL "")
  string(FIND "${rest}" "\n" end)
  string(SUBSTRING "${rest}" 0 ${end} line)
  math(EXPR end "${end} + 1")
  string(SUBSTRING "${rest}" ${end} -1 rest)
  math(EXPR line_number "${line_number} + 1")
  string(STRIP "${line}" line)

  if(line MATCHES "^--[ \t]*name:(.*)$")
    string(STRIP "${CMAKE_MATCH_1}" next)
    if(NOT next MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
      message(FATAL_ERROR "${INPUT}:${line_number}: '${next}' is not a C++ identifier")
    endif()
    if(next IN_LIST names)
      message(FATAL_ERROR "${INPUT}:${line_number}: the name '${next}' is given twice")
    endif()
    close_statement()
    list(APPEND names "${next}")
    set(name "${next}")
    set(name_line ${line_number})
    set(statement "")
  elseif(line STREQUAL "" OR line MATCHES "^--")
    # a blank line or a comment
  else()
    if(name STREQUAL "")
      message(FATAL_ERROR "${INPUT}:${line_number}: a statement without a name (a `-- name: NAME` line goes above it)")
    endif()
    if(statement MATCHES ";[ \t]*$")
      message(FATAL_ERROR "${INPUT}:${line_number}: a statement without a name after '${name}' "
                          "(a `-- name: NAME` line goes above it)")
    endif()
    string(FIND "${line}" "--" comment)
    if(NOT comment EQUAL -1)
      message(FATAL_ERROR "${INPUT}:${line_number}: '--' within a statement: a comment goes on a line of its own, "
                          "above the `-- name:` line")
    endif()
    if(statement STREQUAL "")
      set(statement "${line}")
    else()
      string(APPEND statement " ${line}")
    endif()
  endif()
endwhile()
close_statement()

if(names STREQUAL "")
  message(FATAL_ERROR "${INPUT}: no named statement")
endif()

if(DIALECT STREQUAL "postgresql")
  file(WRITE "${OUTPUT}.tmp"
  "// Generated from storage/queries/postgresql/${module}.sql by cmake/EmbedQueries.cmake. Do not edit.\n"
  "#pragma once\n\n"
  "#include \"storage/queries/${module}.hpp\"\n\n"
  "#include <utility>\n\n"
  "namespace boutique::storage::sql::postgresql::${module} {\n\n"
  "${body}\n"
  "inline constexpr std::pair<const char*, const char*> replaced[] = {\n${pairs}};\n\n"
  "}  // namespace boutique::storage::sql::postgresql::${module}\n")
  file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
  return()
endif()

file(WRITE "${OUTPUT}.tmp"
"// Generated from storage/queries/${module}.sql by cmake/EmbedQueries.cmake. Do not edit.\n"
"#pragma once\n\n"
"namespace boutique::storage::sql::${module} {\n\n"
"${body}\n"
"/// Every statement of the file, in its order (tests prepare them all on each backend).\n"
"inline constexpr const char* all[] = {\n${listed}};\n\n"
"}  // namespace boutique::storage::sql::${module}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
