// `jflow pea`: run one pea in this process. Started by an orchestrator, not by hand: the pea
// learns its configuration over the control socket.
#include "commands.hpp"

#include "net/curve_link.hpp"
#include "pea/pea.hpp"

namespace jflow::cli {

void setup_pea(CLI::App& app, PeaOptions& options) {
  CLI::App* pea = app.add_subcommand("pea", "Run one pea (started by an orchestrator)");
  pea->add_option("--control", options.control, "The orchestrator's control endpoint")->required();
  pea->add_option("--name", options.name, "This pea's name (its control routing id)")->required();
  add_log_options(*pea, options.log);
  pea->group("Internal");
}

int run_pea(const PeaOptions& options) {
  apply_log_options(options.log);
  // A flow with `curve:` hands its session to process peas in the environment (never argv).
  std::optional<jflow::CurveKeyPair> session = jflow::take_curve_session_from_env();
  zmq::context_t context;
  try {
    zmq::socket_t probe(context, zmq::socket_type::dealer);
    probe.set(zmq::sockopt::linger, 0);
    probe.connect(options.control);  // a bad endpoint is reported here, naming it
  } catch (const zmq::error_t& e) {
    throw UsageError("pea '" + options.name + "': cannot connect to the control endpoint '" +
                     options.control + "': " + e.what());
  }
  return Pea(context, options.control, options.name, jflow::registered_drivers(),
             std::move(session))
      .run();
}

}  // namespace jflow::cli
