// Where -o writes the server's HELP/VRFY/-X text, as curl 7.88's tool_operate.c and
// tool_cb_wrt.c decide it: -O, --output-dir, --create-dirs, --no-clobber, --remove-on-error,
// --xattr (tool_xattr.c).
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace smtpc::cli {

struct OutputSettings {
  std::optional<std::string> output{};      // -o FILE ("-": stdout); none: stdout
  std::optional<std::string> output_dir{};  // --output-dir DIR
  bool create_dirs = false;                 // --create-dirs
  bool clobber = true;                      // --no-clobber: FILE.1, FILE.2 ... instead
  bool remove_on_error = false;             // --remove-on-error
  std::optional<std::string> origin_url{};  // --xattr: user.xdg.origin.url of the file written
};

/// -O: the file name curl 7.88 takes from a URL (get_url_file_name): the last segment of
/// its path, after the last '/' or '\\', as written (not %-decoded), without query or
/// fragment; empty when the path is. Throws Error(WriteError) for an empty name: "Remote
/// file name has no length!" (curl's exit 23).
[[nodiscard]] std::string remote_file_name(const std::string& url);

/// --xattr: the URL as curl 7.88 stores it (stripcredentials): no user nor password (the
/// ;options stay), the scheme in lower case, "/" for an empty path.
[[nodiscard]] std::string url_without_credentials(const std::string& url);

/// The file -o names, with --output-dir DIR put in front ("DIR/FILE", as curl does even
/// for an absolute FILE); nullopt for stdout (no -o, or -o -).
[[nodiscard]] std::optional<std::string> output_path(const OutputSettings& settings);

/// --create-dirs: makes every missing directory of `path` (mode 0750, as curl).
/// Throws Error(WriteError) when one cannot be made (curl's exit 23).
void create_parent_dirs(const std::string& path);

/// Opens `path` for writing as curl does: truncating it, or with `clobber` false
/// exclusively, trying PATH.1 ... PATH.99 when it exists. Returns the file and the name
/// it got. Throws Error(WriteError): "Failed to open the file PATH: REASON" (curl's 23).
struct OpenedOutput {
  std::FILE* file = nullptr;
  std::string path;
};
[[nodiscard]] OpenedOutput open_output_file(const std::string& path, bool clobber);

/// Writes the server's lines, each with CRLF, to the -o target (stdout without one); an
/// empty file when there are none, as curl after a transfer without output. With
/// `origin_url` and lines written, sets the file's user.xdg.origin.url (a warning on
/// stderr when it cannot, as curl). `written` gets the name of the file created as soon
/// as it exists, so that --remove-on-error can remove it even when writing fails.
/// Throws Error(WriteError).
void write_output(const OutputSettings& settings, const std::vector<std::string>& lines,
                  std::optional<std::string>& written);

}  // namespace smtpc::cli
