# script_helpers.cmake — what the tests' `cmake -P` scripts share (dropin.cmake,
# doc_optimizer.cmake): checking their -D variables and running a command that must succeed.

# require_vars(SCRIPT VAR...): every VAR given with -D, or a fatal error naming SCRIPT and VAR.
function(require_vars script)
  foreach(v ${ARGN})
    if(NOT DEFINED ${v})
      message(FATAL_ERROR "${script}: -D${v}= is required")
    endif()
  endforeach()
endfunction()

# run(WHAT COMMAND...): run COMMAND; a non-zero exit is a fatal error naming WHAT with its output.
# Its stdout is left in OUT.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(OUT "${out}" PARENT_SCOPE)
endfunction()
