# dropin.cmake — the drop-in proof, run by CTest as `cmake -D... -P dropin.cmake`:
# install the SDK into a fresh prefix, build tests/plugin_example against it alone, put it on
# GRADLAB_PLUGIN_PATH, and check that the installed gradlab lists it and that it passes the
# conformance suite. Variables: BUILD_DIR SOURCE_DIR WORK_DIR CONFORMANCE (test executable).
include(${CMAKE_CURRENT_LIST_DIR}/../script_helpers.cmake)
require_vars(dropin.cmake BUILD_DIR SOURCE_DIR WORK_DIR CONFORMANCE)

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(f include/gradlab/plugin.h include/gradlab/build_config.h lib/cmake/gradlab/gradlabConfig.cmake
          lib/pkgconfig/gradlab.pc lib/gradlab/plugins/dense.so bin/gradlab)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "install: ${prefix}/${f} is missing")
  endif()
endforeach()

# Only the installed SDK: no hint of the source or build tree reaches the example's build.
run("configure example" ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=RelWithDebInfo)
run("build example" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
if(NOT EXISTS ${WORK_DIR}/build/swish.so)
  message(FATAL_ERROR "build example: swish.so was not produced")
endif()

set(env ${CMAKE_COMMAND} -E env GRADLAB_PLUGIN_PATH=${WORK_DIR}/build)
run("gradlab plugins" ${env} ${prefix}/bin/gradlab plugins)
if(NOT OUT MATCHES "layer +swish +ABI [0-9]+ \\([a-z]+\\) +${WORK_DIR}/build/swish.so")
  message(FATAL_ERROR "gradlab plugins does not list swish:\n${OUT}")
endif()
if(NOT OUT MATCHES "layer +dense +ABI [0-9]+ \\([a-z]+\\) +[^\n]*${prefix}/lib")
  message(FATAL_ERROR "the installed gradlab does not load the installed plugins:\n${OUT}")
endif()
run("gradlab plugins --describe swish" ${env} ${prefix}/bin/gradlab plugins --describe swish)
if(NOT OUT MATCHES "beta +real +1")
  message(FATAL_ERROR "--describe swish does not show its option:\n${OUT}")
endif()
run("gradlab gradcheck swish" ${env} ${prefix}/bin/gradlab gradcheck swish)
# pkg-config works as well: build the same plugin with the compiler and the .pc file alone.
find_program(PKG_CONFIG pkg-config)
find_program(CC NAMES cc gcc clang)
if(PKG_CONFIG AND CC)
  set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
  run("pkg-config" ${PKG_CONFIG} --cflags --libs gradlab)
  string(STRIP "${OUT}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  # Strict warnings as a plugin author may have them: the SDK's headers and GLAB_PLUGIN must pass.
  run("cc with pkg-config" ${CC} -std=c11 -Wall -Wextra -Wpedantic -Wmissing-prototypes -Werror
      -shared -fPIC -o ${WORK_DIR}/swish_pc.so
      ${SOURCE_DIR}/swish.c ${flags})
  run("gradlab plugins --plugin swish_pc.so" ${prefix}/bin/gradlab plugins --plugin ${WORK_DIR}/swish_pc.so)
  if(NOT OUT MATCHES "layer +swish +ABI [0-9]+ \\([a-z]+\\) +${WORK_DIR}/swish_pc.so")
    message(FATAL_ERROR "the pkg-config build of swish is not listed:\n${OUT}")
  endif()
endif()
run("conformance suite with swish" ${env} ${CONFORMANCE})
if(NOT OUT MATCHES "swish")
  message(FATAL_ERROR "the conformance suite did not check swish:\n${OUT}")
endif()
message(STATUS "drop-in proof passed:\n${OUT}")
