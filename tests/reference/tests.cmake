# Reference tests: gradlab against PyTorch fixtures (tests/reference/fixtures, see FORMAT.md).
gradlab_add_cunit_test(test_reference
  ${CMAKE_CURRENT_LIST_DIR}/test_reference.c ${CMAKE_CURRENT_LIST_DIR}/fixture.c)
target_compile_definitions(test_reference PRIVATE
  GLAB_REFERENCE_DIR="${CMAKE_CURRENT_LIST_DIR}/fixtures")
# The test loads the shipped plugins from the build tree.
add_dependencies(test_reference plugins)

# The same fixtures through the Lua API (layer:set_param/grad, net:input_grad, opt:step, ...).
add_test(NAME reference_lua
  COMMAND $<TARGET_FILE:gradlab_cli> run ${CMAKE_CURRENT_LIST_DIR}/reference.lua
          --out ${CMAKE_CURRENT_BINARY_DIR}/reference_lua_run --overwrite -- ${CMAKE_CURRENT_LIST_DIR}/fixtures)
set_tests_properties(reference_lua PROPERTIES
  ENVIRONMENT "GRADLAB_PLUGIN_PATH=;GRADLAB_PLOT=0;ASAN_OPTIONS=detect_leaks=1")
