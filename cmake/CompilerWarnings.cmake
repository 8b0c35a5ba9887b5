# One warning list for every target of the project.
function(smtpc_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wshadow -Wconversion -Wsign-conversion -Wpedantic
    -Wold-style-cast -Wformat=2 -Wimplicit-fallthrough -Wnon-virtual-dtor)
  if(SMTPC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(SMTPC_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
