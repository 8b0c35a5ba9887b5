// Fuzz target: -F/--form-string arguments (one per line; "S:" starts a --form-string), parsed
// as curl parses them, then built into a message (files and standard input stand in as
// text). Invariants: the message ends with its closing boundary, and the quoted-printable
// and base64 encoders give the same bytes whether fed whole or a byte at a time.
#include <cstdlib>
#include <string>
#include <vector>

#include "form_options.hpp"
#include "fuzz_support.hpp"

namespace {

void as_text_parts(std::vector<smtpc::FormPart>& parts) {
  for (auto& part : parts) {
    if (part.kind == smtpc::FormPart::Kind::File ||
        part.kind == smtpc::FormPart::Kind::StandardInput) {
      part.kind = smtpc::FormPart::Kind::Data;
    }
    as_text_parts(part.parts);
  }
}

std::string encode(smtpc::FormEncoder encoder, std::string_view input, bool bytewise) {
  smtpc::FormEncoderStream stream(encoder, "fuzz");
  std::string out;
  if (bytewise) {
    for (std::size_t i = 0; i < input.size(); ++i) stream.feed(input.substr(i, 1), out);
  } else {
    stream.feed(input, out);
  }
  stream.finish(out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = smtpc::fuzz::as_text(data, size);
  std::vector<smtpc::cli::FormArgument> arguments;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    const bool literal = line.starts_with("S:");
    if (literal) line.remove_prefix(2);
    arguments.push_back({std::string(line), literal});
    start = end + 1;
  }
  // A ";headers=@FILE" file holds its own name, so the fuzzer controls what it reads.
  const smtpc::cli::HeaderFileReader reader =
      [](const std::string& path, std::string&) -> std::optional<std::string> { return path; };
  smtpc::fuzz::tolerate_errors([&] {
    std::vector<std::string> warnings;
    smtpc::FormMessage message;
    message.parts = smtpc::cli::parse_form(arguments, warnings, reader);
    as_text_parts(message.parts);
    const auto source = smtpc::form_message(message, "------------------------fuzz00000000");
    std::string out;
    std::vector<char> buffer(4096);
    while (const std::size_t n = source->read(buffer)) out.append(buffer.data(), n);
    if (!out.ends_with("0000--\r\n")) std::abort();
  });
  for (const auto encoder : {smtpc::FormEncoder::QuotedPrintable, smtpc::FormEncoder::Base64}) {
    if (encode(encoder, text, false) != encode(encoder, text, true)) std::abort();
  }
  return 0;
}
