# Data tests: IDX/CSV loaders (round trips, malformed input, Fashion-MNIST when installed),
# dataset operations and the built-in tasks; the Lua binding of gradlab.data; the fuzzers.
gradlab_add_cunit_test(data_files ${CMAKE_CURRENT_LIST_DIR}/test_data_files.c)
target_link_libraries(data_files PRIVATE ZLIB::ZLIB)
# The Fashion-MNIST part alone, reported by CTest as skipped (exit 77) when the data is absent.
add_test(NAME data_fashion_mnist COMMAND data_files --fashion-mnist)
set_tests_properties(data_fashion_mnist PROPERTIES LABELS "cunit" SKIP_RETURN_CODE 77)
gradlab_add_cunit_test(data_ops ${CMAKE_CURRENT_LIST_DIR}/test_data_ops.c)

# The Lua binding (gradlab.data) from stock lua5.4, and the Lua examples of docs/data.md.
find_program(DATA_LUA54 NAMES lua5.4 lua54)
if(DATA_LUA54)
  set(DATA_LUA_ENV "LUA_CPATH=${CMAKE_BINARY_DIR}/lua/?.so;;" "GRADLAB_PLUGIN_PATH=")
  if(GRADLAB_SANITIZE)
    # The ASan runtime must come first in a host program that was not built with it.
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                    OUTPUT_VARIABLE DATA_ASAN_LIB OUTPUT_STRIP_TRAILING_WHITESPACE)
    list(APPEND DATA_LUA_ENV "LD_PRELOAD=${DATA_ASAN_LIB}" "ASAN_OPTIONS=detect_leaks=0")
  endif()
  add_test(NAME data_lua COMMAND ${DATA_LUA54} ${CMAKE_CURRENT_LIST_DIR}/test_data.lua)
  set_tests_properties(data_lua PROPERTIES ENVIRONMENT "${DATA_LUA_ENV}"
                       PASS_REGULAR_EXPRESSION "gradlab.data: all Lua checks passed")
  add_test(NAME data_doc_examples
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run_doc_examples.sh ${DATA_LUA54}
                   ${PROJECT_SOURCE_DIR}/docs/data.md)
  set_tests_properties(data_doc_examples PROPERTIES ENVIRONMENT "${DATA_LUA_ENV}")
endif()
