// smtpc-gendoc: writes smtpc.1, smtpc.conf.5 and the bash, zsh and fish completions from the option
// table (build tool; not installed), from the option table and the account keys. Usage:
// smtpc-gendoc OUTDIR VERSION DATE
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "config_keys.hpp"
#include "option_table.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fputs("usage: smtpc-gendoc OUTDIR VERSION DATE\n", stderr);
    return 2;
  }
  const std::string dir = argv[1];
  const auto docs = smtpc::cli::describe_options();
  const std::pair<const char*, std::string> files[] = {
      {"smtpc.1", smtpc::cli::render_man(docs, argv[2], argv[3])},
      {"smtpc.conf.5", smtpc::cli::render_config_man(argv[2], argv[3])},
      {"smtpc.bash", smtpc::cli::render_bash_completion(docs)},
      {"_smtpc", smtpc::cli::render_zsh_completion(docs)},
      {"smtpc.fish", smtpc::cli::render_fish_completion(docs)},
  };
  for (const auto& [name, text] : files) {
    std::ofstream out(dir + "/" + name, std::ios::binary);
    out << text;
    if (!out.flush()) {
      fmt::print(stderr, "smtpc-gendoc: cannot write {}/{}\n", dir, name);
      return 1;
    }
  }
  return 0;
}
