// Options to the inputs of delivery::make_job_spec: the settings' groups, the secrets as
// given, the envelope, the message request and the debugging requests.
#include "options.hpp"

#include "settings_options.hpp"
#include "smtpc/delivery/job_spec.hpp"
#include "write_out.hpp"

namespace smtpc::cli {
namespace {

// The values of `options` that may carry a secret, as given.
delivery::Secrets secrets_of(const Options& options) {
  return {.url = options.url,
          .user = options.user,
          .proxy = options.proxy,
          .preproxy = options.preproxy,
          .proxy_user = options.proxy_user,
          .key_password = options.pass,
          .proxy_key_password = options.proxy_pass,
          .oauth2_bearer = options.oauth2_bearer,
          .proxy_headers = options.proxy_headers};
}

}  // namespace

bool is_direct_delivery(const Options& options) {
  return delivery::is_direct_delivery(options.url, options, options);
}

std::string effective_url(const Options& options) {
  return delivery::effective_url(options.url, options);
}

JobSpec make_job_spec(const Options& options) {
  // The settings' groups; the destination (URL, logins, proxies) is in the secrets as given.
  const settings::DeliverySettings settings = groups_of(options);
  const delivery::Secrets secrets = secrets_of(options);
  const bool dump = options.compose.dump_message;
  (void)delivery::job_url(settings, secrets, dump);  // its errors before the message's
  delivery::JobRequest request{
      .envelope = {options.mail_from, options.mail_rcpt},
      .message = make_message_request(options),
      .custom_request = options.request,
      .serverinfo = options.debug.serverinfo || options.debug.serverinfo_json,
      .quit_after = options.debug.quit_after,
      .dump_message = dump,
      .describe_certificates = write_out_may_show_certificates(options.write_out)};
  return delivery::make_job_spec(settings, secrets, std::move(request));
}

std::optional<MxOptions> make_mx_options(const Options& options, const JobSpec& spec) {
  return delivery::make_mx_options(options, spec);
}

}  // namespace smtpc::cli
