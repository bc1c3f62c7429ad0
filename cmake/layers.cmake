# Layering enforced by include paths. Private headers are included by their folder,
# `#include "wire/frame.hpp"`, and a target sees a folder only through its *include view*: a
# directory in the build tree holding one symbolic link per folder the target may use. A layer's
# view links its own folder and those of the layers beneath it, so an upward include — `pea/`
# code including "flow/…" — is "No such file" at compile time rather than a review comment.
# docs/ARCHITECTURE.md names the layers and what each may use.

# jflow_include_view(TARGET NAME FOLDER...): give TARGET a view named NAME linking each FOLDER
# (absolute paths; each is linked under its own base name).
function(jflow_include_view target name)
  set(view ${PROJECT_BINARY_DIR}/include-views/${name})
  file(REMOVE_RECURSE ${view})
  file(MAKE_DIRECTORY ${view})
  foreach(folder ${ARGN})
    get_filename_component(link_name ${folder} NAME)
    file(CREATE_LINK ${folder} ${view}/${link_name} SYMBOLIC)
  endforeach()
  target_include_directories(${target} PRIVATE ${view})
endfunction()

# jflow_layer(NAME [USES LAYER...]): an object library jflow_NAME of src/NAME/*.cpp that sees its
# own folder and, transitively, the folders of the layers it USES.
function(jflow_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "USES")
  set(visible ${name})
  foreach(lower ${arg_USES})
    list(APPEND visible ${JFLOW_LAYER_SEES_${lower}})
  endforeach()
  list(REMOVE_DUPLICATES visible)
  set(JFLOW_LAYER_SEES_${name} ${visible} CACHE INTERNAL "folders layer ${name} may include")
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  add_library(jflow_${name} OBJECT ${sources})
  set(folders "")
  foreach(layer ${visible})
    list(APPEND folders ${PROJECT_SOURCE_DIR}/src/${layer})
  endforeach()
  jflow_include_view(jflow_${name} layer-${name} ${folders})
  target_include_directories(jflow_${name} PRIVATE ${PROJECT_SOURCE_DIR}/include)
  target_compile_definitions(jflow_${name} PRIVATE MSGPACK_NO_BOOST)
  target_link_libraries(jflow_${name} PRIVATE jflow_warnings PkgConfig::ZMQ yaml-cpp)
  set_target_properties(jflow_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  # Nothing interposes libjflow's own functions (LD_PRELOAD), so let the compiler call and inline
  # them directly rather than through the PLT: the codec's small readers run for every field.
  target_compile_options(jflow_${name} PRIVATE -fno-semantic-interposition)
endfunction()

# The folders of every layer, for the targets above them all (cli/, tests/, bench/).
function(jflow_all_layers out)
  set(folders "")
  foreach(layer ${JFLOW_LAYERS})
    list(APPEND folders ${PROJECT_SOURCE_DIR}/src/${layer})
  endforeach()
  set(${out} ${folders} PARENT_SCOPE)
endfunction()
