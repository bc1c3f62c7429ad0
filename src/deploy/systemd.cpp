#include "deploy/systemd.hpp"

#include "deploy/local_files.hpp"
#include "jflow/defaults.hpp"

namespace jflow::deploy {
namespace {

// systemd splits ExecStart= like a shell would, without expanding globs: quote what holds more
// than plain characters, and double '%' and '$', which it would expand.
std::string unit_word(const std::string& word) {
  bool plain = !word.empty();
  std::string escaped;
  for (char c : word) {
    if (c == '%')
      escaped += "%%";
    else if (c == '$')
      escaped += "$$";
    else if (c == '"' || c == '\\')
      escaped += std::string("\\") + c;
    else
      escaped += c;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("-_./:=@+,").find(c) != std::string_view::npos;
    plain = plain && ok;
  }
  return plain ? escaped : "\"" + escaped + "\"";
}

std::string exec_line(const std::filesystem::path& binary, std::vector<std::string> command) {
  command.front() = binary.string();  // the "jflow" of the container commands
  std::string line = "ExecStart=";
  for (std::size_t i = 0; i < command.size(); ++i) line += (i ? " " : "") + unit_word(command[i]);
  return line + "\n";
}

std::string unit_name(const std::string& name) {
  return "jflow-" + name + ".service";
}

}  // namespace

std::vector<std::filesystem::path> write_systemd(const DeployPlan& plan,
                                                 const std::filesystem::path& dir,
                                                 const std::filesystem::path& jflow_binary) {
  const std::filesystem::path folder = std::filesystem::absolute(dir);
  const std::string keys = (folder / "keys").string();
  Placement placement;
  placement.orchestrator_host = "127.0.0.1";
  std::vector<std::string> addresses;
  for (std::size_t i = 0; i < plan.workloads.size(); ++i) {
    // One machine, so each daemon gets a port of its own, after the default daemon's.
    addresses.push_back("127.0.0.1:" +
                        std::to_string(defaults::kDaemonPort + 1 + static_cast<int>(i)));
    placement.daemons[plan.workloads[i].pod] = addresses.back();
  }
  placement.key_dir = keys;
  placement.workspace = (folder / "workspace").string();
  std::vector<std::filesystem::path> written = write_local_files(plan, folder, placement);

  const std::string header = "# Written by `jflow export --systemd` from " +
                             plan.source.filename().string() + " (docs/KUBERNETES.md).\n";
  std::string wants;
  for (std::size_t i = 0; i < plan.workloads.size(); ++i) {
    const Workload& workload = plan.workloads[i];
    wants += " " + unit_name(workload.name);
    const std::string text =
        header + "[Unit]\nDescription=jflow daemon for pod " + workload.pod + " of flow " +
        plan.flow + "\nAfter=network.target\n\n[Service]\nType=simple\n" +
        exec_line(jflow_binary, daemon_command(plan, workload, "tcp://" + addresses[i], keys)) +
        "Restart=on-failure\nRestartSec=1s\n\n[Install]\nWantedBy=multi-user.target\n";
    written.push_back(folder / unit_name(workload.name));
    write_file(written.back(), text);
  }
  const std::string text =
      header + "[Unit]\nDescription=jflow orchestrator and gateway of flow " + plan.flow +
      "\nAfter=network.target" + wants + "\nWants=" + wants.substr(wants.empty() ? 0 : 1) +
      "\n\n[Service]\nType=simple\nWorkingDirectory=" + folder.string() + "\n" +
      exec_line(jflow_binary,
                orchestrator_command((folder / "flow" / kFlowFileName).string(), "127.0.0.1")) +
      "Restart=on-failure\nRestartSec=1s\n\n[Install]\nWantedBy=multi-user.target\n";
  written.push_back(folder / unit_name(plan.orchestrator));
  write_file(written.back(), text);
  return written;
}

}  // namespace jflow::deploy
