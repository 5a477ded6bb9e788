# doc_optimizer.cmake — the optimizer plugin written out in docs/plugins.md ("Writing an
# optimizer plugin") is a whole plugin that compiles and works: extract its C block, build it
# against the build tree with strict warnings, check `gradlab plugins --describe` shows it, and
# run scripts/doc_optimizer.lua with it (same weights as the shipped momentum). Run by CTest as
# `cmake -D... -P doc_optimizer.cmake`; variables: DOC CC INCLUDES (;-list) LIB_DIR GRADLAB
# SCRIPT WORK_DIR.
include(${CMAKE_CURRENT_LIST_DIR}/../script_helpers.cmake)
require_vars(doc_optimizer.cmake DOC CC INCLUDES LIB_DIR GRADLAB SCRIPT WORK_DIR)

# The first ```c block after the section's heading, up to its closing ```.
file(READ ${DOC} doc)
string(FIND "${doc}" "\n## Writing an optimizer plugin\n" at)
if(at LESS 0)
  message(FATAL_ERROR "${DOC}: no section 'Writing an optimizer plugin'")
endif()
string(SUBSTRING "${doc}" ${at} -1 doc)
string(FIND "${doc}" "\n```c\n" open)
if(open LESS 0)
  message(FATAL_ERROR "${DOC}: no ```c block in 'Writing an optimizer plugin'")
endif()
math(EXPR open "${open} + 6")
string(SUBSTRING "${doc}" ${open} -1 doc)
string(FIND "${doc}" "\n```\n" close)
math(EXPR close "${close} + 1")
string(SUBSTRING "${doc}" 0 ${close} code)
if(NOT code MATCHES "GLAB_PLUGIN\\(init\\)")
  message(FATAL_ERROR "the optimizer example is not a whole plugin (no GLAB_PLUGIN):\n${code}")
endif()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
file(WRITE ${WORK_DIR}/mysgd.c "${code}")
set(incs "")
foreach(d ${INCLUDES})
  list(APPEND incs -I${d})
endforeach()
run("build the example" ${CC} -std=c11 -Wall -Wextra -Wpedantic -Wmissing-prototypes -Werror
    -shared -fPIC ${incs} -o ${WORK_DIR}/mysgd.so ${WORK_DIR}/mysgd.c -L${LIB_DIR} -lgradlab)
run("gradlab plugins --describe mysgd" ${GRADLAB} plugins --plugin ${WORK_DIR}/mysgd.so
    --describe mysgd)
if(NOT OUT MATCHES "mysgd \\(optimizer\\)" OR NOT OUT MATCHES "momentum +real +0\\.9")
  message(FATAL_ERROR "--describe mysgd does not show it:\n${OUT}")
endif()
run("the example in a script" ${CMAKE_COMMAND} -E env GRADLAB_PLOT=0 ${GRADLAB} run ${SCRIPT}
    --plugin ${WORK_DIR}/mysgd.so --out ${WORK_DIR}/run)
if(NOT OUT MATCHES "doc_optimizer: all checks passed")
  message(FATAL_ERROR "doc_optimizer.lua did not pass:\n${OUT}")
endif()
message(STATUS "the optimizer example of docs/plugins.md builds and works:\n${OUT}")
