// Fuzz target: the Session against a model server whose every decision comes from the
// input: refusals, 421, lost connections, strict pipelining, replies split and batched.
// The invariants of tests/support/session_model.hpp are assertions here.
#include <cstdio>

#include "fuzz_support.hpp"
#include "session_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  smtpc::model::ByteChoices choices(smtpc::fuzz::as_text(data, size));
  const auto scenario = smtpc::model::random_scenario(choices);
  const auto outcome = smtpc::model::run(scenario, choices);
  const auto problems = smtpc::model::check(scenario, outcome);
  if (!problems.empty()) {
    std::fprintf(stderr, "%s\n", smtpc::model::explain(scenario, outcome, problems).c_str());
    __builtin_trap();
  }
  return 0;
}
