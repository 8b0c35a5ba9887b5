// Property test: the Session against random server behaviour, checked against a simple
// reference model (tests/support/session_model.hpp).
#include <gtest/gtest.h>

#include <cstdlib>

#include "session_model.hpp"

namespace smtpc::model {
namespace {

// SMTPC_PROPERTY_RUNS raises the count for a longer search (e.g. 1000000).
std::size_t run_count() {
  const char* text = std::getenv("SMTPC_PROPERTY_RUNS");
  return text != nullptr ? static_cast<std::size_t>(std::strtoull(text, nullptr, 10)) : 20000;
}

TEST(TransactionsProperty, EveryBodyUnderItsOwnEnvelopeAndTheReportMatchesTheServer) {
  const std::size_t runs = run_count();
  std::size_t failures = 0;
  for (std::size_t seed = 1; seed <= runs && failures < 5; ++seed) {
    RandomChoices choices(static_cast<std::uint32_t>(seed));
    const Scenario scenario = random_scenario(choices);
    const RunOutcome outcome = run(scenario, choices);
    const auto problems = check(scenario, outcome);
    if (!problems.empty()) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << ": " << explain(scenario, outcome, problems);
    }
  }
  RecordProperty("runs", static_cast<int>(runs));
}

}  // namespace
}  // namespace smtpc::model
