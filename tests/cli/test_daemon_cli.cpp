// `jflow daemon` through the binary: usage errors exit 2 with a message naming the option, and a
// daemon started on port 0 says where it listens and stops cleanly on SIGTERM.
#include <catch2/catch.hpp>

#include <csignal>

#include "support/local_daemon.hpp"
#include "support/run_jflow.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using jflow::DaemonOptions;
using jflow::test::run_jflow;

TEST_CASE("jflow daemon refuses command lines that cannot work", "[cli][hosts][bad-input]") {
  jflow::test::KeyFolder keys;
  keys.make("daemon");
  const std::string secret = keys.secret("daemon").string();

  auto neither = run_jflow({"daemon", "--listen", "tcp://127.0.0.1:0"});
  CHECK(neither.exit_code == 2);
  CHECK_THAT(neither.output, Contains("--key") && Contains("--insecure"));

  auto no_allow = run_jflow({"daemon", "--listen", "tcp://127.0.0.1:0", "--key", secret});
  CHECK(no_allow.exit_code == 2);
  CHECK_THAT(no_allow.output, Contains("--allow"));

  auto both = run_jflow({"daemon", "--insecure", "--key", secret});
  CHECK(both.exit_code == 2);
  CHECK_THAT(both.output, Contains("contradict"));

  auto missing_key = run_jflow({"daemon", "--key", "/nonexistent/daemon.secret"});
  CHECK(missing_key.exit_code == 2);
  CHECK_THAT(missing_key.output, Contains("/nonexistent/daemon.secret"));

  auto bad_address = run_jflow({"daemon", "--insecure", "--listen", "tcp://999.1.1.1:0"});
  CHECK(bad_address.exit_code == 2);
  CHECK_THAT(bad_address.output, Contains("--listen tcp://999.1.1.1:0"));

  auto bad_timeout = run_jflow({"daemon", "--insecure", "--orchestrator-timeout", "soon"});
  CHECK(bad_timeout.exit_code == 2);
  CHECK_THAT(bad_timeout.output, Contains("--orchestrator-timeout") && Contains("soon"));
}

TEST_CASE("jflow ping --daemon answers for a daemon, with and without CURVE", "[cli][hosts]") {
  DaemonOptions plain;
  plain.insecure = true;
  jflow::test::LocalDaemon open_daemon(plain);
  auto ok = run_jflow({"ping", "--daemon", open_daemon.address()});
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.output, Contains("daemon ok (0 orchestrators, 0 peas)"));

  jflow::test::KeyFolder keys;
  const auto orchestrator = keys.make("orchestrator");
  DaemonOptions curve;
  curve.key = keys.make("daemon");
  curve.allowed = {orchestrator.public_key};
  jflow::test::LocalDaemon curve_daemon(curve);
  auto admitted = run_jflow({"ping", "--daemon", curve_daemon.address(), "--key",
                             keys.secret("orchestrator").string(), "--server-key",
                             keys.pub("daemon").string()});
  CHECK(admitted.exit_code == 0);
  auto without_key = run_jflow({"ping", "--daemon", curve_daemon.address(), "--timeout", "300ms"});
  CHECK(without_key.exit_code == 1);
  CHECK_THAT(without_key.output, Contains("no reply from a daemon within 300ms"));
}

TEST_CASE("jflow daemon --help explains itself", "[cli][hosts]") {
  auto help = run_jflow({"daemon", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.output, Contains("--listen") && Contains("--allow") && Contains("--insecure"));
}

TEST_CASE("flows/on_a_daemon.yml runs its encode pod on a daemon", "[cli][hosts][examples]") {
  DaemonOptions options;
  options.insecure = true;
  jflow::test::LocalDaemon daemon(options);
  auto out =
      run_jflow({"run", "--timeout", "20s", jflow::test::source_path("flows/on_a_daemon.yml")},
                {"JFLOW_DAEMON=" + daemon.address()});
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK(daemon.logged("started pea 'encode'"));
  CHECK_THAT(out.output, Contains("not encrypted"));
}
