# Reference tests: gradlab against PyTorch fixtures (tests/reference/fixtures, see FORMAT.md).
gradlab_add_cunit_test(test_reference
  ${CMAKE_CURRENT_LIST_DIR}/test_reference.c ${CMAKE_CURRENT_LIST_DIR}/fixture.c)
target_compile_definitions(test_reference PRIVATE
  GLAB_REFERENCE_DIR="${CMAKE_CURRENT_LIST_DIR}/fixtures")
# The test loads the shipped plugins from the build tree.
add_dependencies(test_reference plugins)
