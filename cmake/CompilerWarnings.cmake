# One warning list for every target of the project.
function(smtpc_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wshadow -Wconversion -Wsign-conversion -Wpedantic
    -Wold-style-cast -Wformat=2 -Wimplicit-fallthrough -Wnon-virtual-dtor)
  # GCC 12 at -O3 (a plain Release build) reports overlaps that cannot happen inside
  # libstdc++'s operator+ for "literal" + std::string (GCC bug 105651, fixed in GCC 13).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(SMTPC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(SMTPC_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
