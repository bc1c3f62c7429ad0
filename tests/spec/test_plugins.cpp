// Executor plugins: a shared library listed in `plugins:` adds its executors for thread and
// process peas alike; each way loading can fail gives a located message naming the file.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "jflow/flow.hpp"
#include "jflow/plugin.hpp"
#include "support/test_support.hpp"

using namespace jflow;
using Catch::Matchers::Contains;

namespace {

std::string flow_with_plugin(const std::string& plugin, const std::string& runtime = "thread") {
  return "version: 1\nplugins:\n  - " + plugin +
         "\npods:\n  - name: stats\n    runtime: " + runtime +
         "\n    uses: !WordStats {with: {min_length: 3}}\n";
}

std::string plugin_flow_error(const std::string& yaml) {
  try {
    parse_flow_yaml(yaml, "/flows/plugin.yml", test::no_env);
  } catch (const SpecError& error) {
    return error.what();
  }
  return "(no SpecError)";
}

}  // namespace

TEST_CASE("a plugin's executor runs in thread and process peas", "[plugins]") {
  for (const std::string runtime : {"thread", "process"}) {
    DYNAMIC_SECTION(runtime) {
      FlowSpec spec = parse_flow_yaml(flow_with_plugin(JFLOW_WORD_STATS_PLUGIN, runtime),
                                      "/flows/plugin.yml", test::no_env);
      CHECK(registered_executors().contains("WordStats"));
      Flow flow(std::move(spec), test::test_options());
      flow.start();
      Response response = flow.call(test::text_request("a flow of pods and peas"));
      REQUIRE(response.ok());
      const Document& doc = response.request.docs.at(0);
      CHECK(std::get<std::int64_t>(doc.tags.at("words")) == 4);  // "a" is shorter than 3
      CHECK(std::get<std::string>(doc.tags.at("longest_word")) == "flow");
      flow.close();
    }
  }
}

TEST_CASE("loading the same plugin twice registers it once", "[plugins]") {
  load_plugin(JFLOW_WORD_STATS_PLUGIN);
  load_plugin(JFLOW_WORD_STATS_PLUGIN);
  CHECK(registered_executors().contains("WordStats"));
}

TEST_CASE("a plugin that registers a known kind is refused and adds nothing", "[plugins]") {
  load_plugin(JFLOW_WORD_STATS_PLUGIN);
  const std::string first_summary = registered_executors().info("WordStats")->summary;
  // The same library under another name is another plugin to the loader; its WordStats clashes.
  const auto copy = std::filesystem::temp_directory_path() /
                    ("jflow-word-stats-copy-" + std::to_string(::getpid()) + ".so");
  std::filesystem::copy_file(JFLOW_WORD_STATS_PLUGIN, copy,
                             std::filesystem::copy_options::overwrite_existing);
  CHECK_THROWS_WITH(
      load_plugin(copy),
      Contains("plugin '" + copy.string() + "' failed to register") &&
          Contains("executor kind 'WordStats' is registered twice (first by plugin '" +
                   std::string(JFLOW_WORD_STATS_PLUGIN) + "')"));
  std::filesystem::remove(copy);
  CHECK(registered_executors().info("WordStats")->summary == first_summary);
}

TEST_CASE("each plugin failure names the file and the reason", "[plugins]") {
  CHECK_THAT(plugin_flow_error(flow_with_plugin("/no/such/libplugin.so")),
             Contains("plugin.yml:3:5: plugin '/no/such/libplugin.so': no such file"));

  const auto text_file = std::filesystem::temp_directory_path() /
                         ("jflow-not-elf-" + std::to_string(::getpid()) + ".so");
  std::ofstream(text_file) << "not a shared library\n";
  CHECK_THAT(plugin_flow_error(flow_with_plugin(text_file.string())),
             Contains("plugin.yml:3:5:") && Contains("cannot be loaded"));
  std::filesystem::remove(text_file);

  CHECK_THAT(plugin_flow_error(flow_with_plugin(JFLOW_NOT_A_PLUGIN)),
             Contains("is not a jflow plugin") && Contains("JFLOW_PLUGIN"));
  CHECK_THAT(plugin_flow_error(flow_with_plugin(JFLOW_OTHER_ABI_PLUGIN)),
             Contains("was built for jflow plugin ABI 999") &&
                 Contains("this jflow has ABI " + std::to_string(kPluginAbi)));
  CHECK_THAT(plugin_flow_error("version: 1\nplugins: lib.so\npods:\n  - name: a\n"),
             Contains("plugin.yml:2:10: plugins: expected a list"));
}
