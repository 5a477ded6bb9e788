# Batch tests: reliability of 'gradlab batch' / 'gradlab merge' (tests/batch/batch_test.sh runs
# each case against the real 'gradlab run'; the batch_fake_* cases use a stand-in runner, so the
# runner's own mechanics are tested even when no Lua is involved).
add_library(batch_crash_plugin MODULE ${CMAKE_CURRENT_LIST_DIR}/crash_plugin.c)
target_link_libraries(batch_crash_plugin PRIVATE gradlab)
set_target_properties(batch_crash_plugin PROPERTIES PREFIX "" OUTPUT_NAME batch_crash
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/batch C_VISIBILITY_PRESET hidden)

set(GRADLAB_BATCH_TEST ${CMAKE_CURRENT_LIST_DIR}/batch_test.sh)
set(GRADLAB_BATCH_FAKE "GRADLAB_BATCH_RUNNER=${CMAKE_CURRENT_LIST_DIR}/fake_run.sh")
foreach(case many failures kill shard determinism usage sigterm bigseed env layout progress
             merge_out merge_again merge_bad os_exit options targets keep_part)
  add_test(NAME batch_${case} COMMAND bash ${GRADLAB_BATCH_TEST} $<TARGET_FILE:gradlab_cli> ${case})
  set_tests_properties(batch_${case} PROPERTIES LABELS batch TIMEOUT 120
    ENVIRONMENT "GRADLAB_PLUGIN_PATH=;GRADLAB_TEST_CRASH_PLUGIN=$<TARGET_FILE:batch_crash_plugin>")
endforeach()
foreach(case failures kill)
  add_test(NAME batch_fake_${case} COMMAND bash ${GRADLAB_BATCH_TEST} $<TARGET_FILE:gradlab_cli> ${case})
  set_tests_properties(batch_fake_${case} PROPERTIES LABELS batch TIMEOUT 120
    ENVIRONMENT "${GRADLAB_BATCH_FAKE}")
endforeach()

# Under -DGRADLAB_VALGRIND=ON: the batch and merge processes themselves under memcheck (the jobs,
# run by the stand-in, are not).
if(GRADLAB_VALGRIND)
  set(GRADLAB_BATCH_VG "GRADLAB_WRAP=${VALGRIND_EXECUTABLE} --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect")
  foreach(case failures shard usage)
    add_test(NAME batch_vg_${case} COMMAND bash ${GRADLAB_BATCH_TEST} $<TARGET_FILE:gradlab_cli> ${case})
    set_tests_properties(batch_vg_${case} PROPERTIES LABELS "batch;valgrind" TIMEOUT 900
      ENVIRONMENT "${GRADLAB_BATCH_FAKE};${GRADLAB_BATCH_VG}")
  endforeach()
endif()
