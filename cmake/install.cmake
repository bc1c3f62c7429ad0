# `cmake --install`: the public headers (include/jflow/), libjflow.so, the `jflow` binary, and a CMake
# package so that an application can
#   find_package(jflow REQUIRED)
#   target_link_libraries(app PRIVATE jflow::jflow)
include(CMakePackageConfigHelpers)

# Only the public API: include/jflow/ (src/ holds the private headers, never installed).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/jflow DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp")

install(TARGETS jflow_core EXPORT jflowTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The installed binary finds the installed library beside it, wherever the prefix is moved to.
set_target_properties(jflow PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
install(TARGETS jflow RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(JFLOW_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/jflow)
install(EXPORT jflowTargets NAMESPACE jflow:: FILE jflowTargets.cmake DESTINATION ${JFLOW_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/jflowConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/jflowConfig.cmake
                              INSTALL_DESTINATION ${JFLOW_CMAKE_DIR}
                              PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
# 0.x: a minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/jflowConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/jflowConfig.cmake ${PROJECT_BINARY_DIR}/jflowConfigVersion.cmake
        DESTINATION ${JFLOW_CMAKE_DIR})
