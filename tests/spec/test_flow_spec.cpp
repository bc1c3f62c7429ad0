// FlowSpec from YAML and from FlowBuilder: valid flows, the forms of `uses`, ${VAR}, locations, and
// that both front ends give equal specs for the same flow.
#include <catch2/catch.hpp>

#include "jflow/flow_spec.hpp"
#include "spec/spec_test_drivers.hpp"
#include "support/test_support.hpp"

using namespace std::chrono_literals;
using namespace jflow;
using Catch::Matchers::Contains;
using spec_test::fixed_env;
using spec_test::stub_drivers;

namespace {

FlowSpec parse(const std::string& yaml, const EnvLookup& env = fixed_env({})) {
  return parse_flow_yaml(yaml, "inline.yml", env, stub_drivers());
}

// The first pod's index chain of a one-pod flow whose pod has the given `uses` lines.
std::vector<DriverSpec> index_chain_of(const std::string& uses_lines) {
  const FlowSpec spec = parse("version: 1\npods:\n  - name: a\n" + uses_lines);
  return spec.pods.at(0).drivers.by_type.at(RequestType::index);
}

}  // namespace

TEST_CASE("a linear flow file parses into the spec it describes", "[flow_spec]") {
  const FlowSpec spec =
      load_flow_yaml(test::valid_flow_path("linear.yml"), fixed_env({}), stub_drivers());
  CHECK(spec.source == test::valid_flow_path("linear.yml"));
  CHECK(spec.version == 1);
  CHECK(spec.transport == Transport::ipc);
  CHECK(spec.host == "127.0.0.1");
  CHECK(spec.timeout_ready == 20s);
  CHECK(spec.request_timeout == 1500ms);
  REQUIRE(spec.input.size() == 1);
  CHECK(spec.input.front().lines ==
        std::filesystem::path(test::valid_flow_path("data/lines.txt")).lexically_normal());
  CHECK(spec.input.front().type == RequestType::search);
  CHECK(spec.input.front().request_size == 2);

  REQUIRE(spec.pods.size() == 3);
  const PodSpec& slow = spec.pods[0];
  CHECK(slow.name == "slow");
  CHECK(slow.uses == "- !WaitDriver {duration: 1s}");
  CHECK(slow.runtime == Runtime::process);
  CHECK(slow.timeout_ready == 5s);
  CHECK(spec.pods[1].timeout_ready == 20s);  // inherited from the flow
  CHECK(spec.pods[1].runtime == Runtime::thread);

  const auto& chain = spec.pods[2].drivers.by_type.at(RequestType::train);
  REQUIRE(chain.size() == 3);
  CHECK(chain[0].kind == "WaitDriver");
  CHECK(chain[0].options_yaml == "{duration: 200ms}");
  CHECK(chain[1].kind == "LogDriver");
  CHECK(chain[1].options_yaml == "{docs: true}");
  CHECK(chain[2].kind == "ForwardDriver");
  CHECK(chain[2].options_yaml == "{}");
  CHECK(spec.pods[1].drivers.by_type.at(RequestType::index) ==
        std::vector<DriverSpec>{{"LogDriver", "{}", {}}});
}

TEST_CASE("drivers remember where they were written, also inside a uses string", "[flow_spec]") {
  const FlowSpec spec =
      load_flow_yaml(test::valid_flow_path("linear.yml"), fixed_env({}), stub_drivers());
  const auto where = [&](std::size_t pod, std::size_t driver) {
    return spec.pods.at(pod).drivers.by_type.at(RequestType::index).at(driver).where.to_string();
  };
  const std::string file = test::valid_flow_path("linear.yml");
  CHECK(spec.pods[0].where.to_string() == file + ":12:5");
  CHECK(where(0, 0) == file + ":13:14");  // the tag inside "- !WaitDriver {duration: 1s}"
  CHECK(where(1, 0) == file + ":17:11");  // _log
  CHECK(where(2, 0) == file + ":20:9");
  CHECK(where(2, 2) == file + ":23:9");
}

TEST_CASE("FlowBuilder and YAML give equal specs for the same flow", "[flow_spec][builder]") {
  const FlowSpec from_yaml =
      load_flow_yaml(test::valid_flow_path("linear.yml"), fixed_env({}), stub_drivers());
  const auto builder = [&](const std::string& wait) {
    return FlowBuilder(stub_drivers())
        .transport(Transport::ipc)
        .host("127.0.0.1")
        .timeout_ready(20s)
        .request_timeout(1500ms)
        .input({std::filesystem::path(test::valid_flow_path("data/lines.txt")).lexically_normal(),
                RequestType::search, 2})
        .add("slow", "- !WaitDriver {duration: " + wait + "}", Runtime::process)
        .pod_timeout_ready(5s)
        .add("logger", "_log")
        .add("chain",
             "- !WaitDriver {duration: 200ms}\n- !LogDriver {docs: true}\n- !ForwardDriver");
  };
  CHECK(builder("1s").build() == from_yaml);
  CHECK_FALSE(builder("2s").build() == from_yaml);
}

TEST_CASE("every form of a driver list resolves to the same chain", "[flow_spec][uses]") {
  const std::vector<DriverSpec> expected{{"WaitDriver", "{duration: 1s}", {}},
                                         {"LogDriver", "{}", {}}};
  CHECK(index_chain_of("    uses: \"- !WaitDriver {duration: 1s}\\n- !LogDriver\"\n") == expected);
  CHECK(index_chain_of("    uses: [!WaitDriver {duration: 1s}, !LogDriver {}]\n") == expected);
  CHECK(index_chain_of(
            "    uses:\n      - !WaitDriver\n        duration: 1s\n      - !LogDriver\n") ==
        expected);
  CHECK(
      index_chain_of("    uses: |\n      - !WaitDriver {duration: 1s}\n      - !LogDriver {}\n") ==
      expected);
  CHECK(index_chain_of("    uses: !WaitDriver {duration: 1s}\n") ==
        std::vector<DriverSpec>{expected[0]});
  CHECK(index_chain_of("    uses: _pass\n") ==
        std::vector<DriverSpec>{{"ForwardDriver", "{}", {}}});
  CHECK(index_chain_of("    runtime: thread\n") ==
        std::vector<DriverSpec>{{"ForwardDriver", "{}", {}}});
}

TEST_CASE("a plain driver list fills index, search and train - control is the pea's", "[uses]") {
  const DriverChains chains =
      resolve_uses(YAML::Load("[!WaitDriver {duration: 2s}]"), "x.yml", stub_drivers());
  CHECK(chains.by_type.size() == 3);
  CHECK(chains.by_type.at(RequestType::search) == chains.by_type.at(RequestType::index));
  CHECK(chains.by_type.at(RequestType::train) == chains.by_type.at(RequestType::index));
  CHECK(chains.by_type.count(RequestType::control) == 0);
}

TEST_CASE("a map of request types gives each type its own chain", "[flow_spec][uses]") {
  const FlowSpec spec =
      load_flow_yaml(test::valid_flow_path("per_type.yml"), fixed_env({}), stub_drivers());
  const auto& by_type = spec.pods.at(0).drivers.by_type;
  CHECK(by_type.at(RequestType::index) ==
        std::vector<DriverSpec>{{"WaitDriver", "{duration: 10ms}", {}}});
  CHECK(by_type.at(RequestType::search) == std::vector<DriverSpec>{{"LogDriver", "{}", {}}});
  CHECK(by_type.at(RequestType::train) == std::vector<DriverSpec>{{"ForwardDriver", "{}", {}}});
}

TEST_CASE("${VAR} and ${VAR:-default} are substituted from the given environment", "[env]") {
  const std::string file = test::valid_flow_path("env.yml");
  SECTION("defaults apply when a variable is unset or empty") {
    for (const char* transport_value : {"", "unset"}) {
      std::map<std::string, std::string> env{{"JFLOW_TEST_TIMEOUT", "7s"}, {"JFLOW_TEST_POD", "p"}};
      if (std::string(transport_value) != "unset") env["JFLOW_TEST_TRANSPORT"] = transport_value;
      const FlowSpec spec = load_flow_yaml(file, fixed_env(env), stub_drivers());
      CHECK(spec.transport == Transport::tcp);
      CHECK(spec.timeout_ready == 7s);
      CHECK(spec.pods.at(0).name == "p-1");
      CHECK(spec.pods.at(0).drivers.by_type.at(RequestType::index).at(0).options_yaml ==
            "{duration: 250ms}");
    }
  }
  SECTION("set variables win over defaults, also inside a uses string") {
    const FlowSpec spec = load_flow_yaml(file,
                                         fixed_env({{"JFLOW_TEST_TIMEOUT", "7s"},
                                                    {"JFLOW_TEST_POD", "p"},
                                                    {"JFLOW_TEST_TRANSPORT", "inproc"},
                                                    {"JFLOW_TEST_WAIT", "3s"}}),
                                         stub_drivers());
    CHECK(spec.transport == Transport::inproc);
    CHECK(spec.pods.at(0).drivers.by_type.at(RequestType::index).at(0).options_yaml ==
          "{duration: 3s}");
  }
  SECTION("an unset variable without default is an error at its ${") {
    CHECK(spec_test::spec_error_of([&] {
            load_flow_yaml(file, fixed_env({{"JFLOW_TEST_POD", "p"}}), stub_drivers());
          }) == file +
                    ":4:16: environment variable 'JFLOW_TEST_TIMEOUT' is not set "
                    "(write ${JFLOW_TEST_TIMEOUT:-default} to give a default)");
  }
  SECTION("the process environment is the default lookup") {
    CHECK(process_environment()("PATH").has_value());
    CHECK_FALSE(process_environment()("JFLOW_TEST_SURELY_UNSET_VARIABLE").has_value());
  }
}

TEST_CASE("errors inside a uses string point into the string", "[flow_spec][uses]") {
  const std::string head = "version: 1\npods:\n  - name: a\n";
  CHECK(spec_test::spec_error_of([&] { parse(head + "    uses: '- !WiatDriver {}'\n"); }) ==
        "inline.yml:4:14: unknown driver 'WiatDriver' (did you mean 'WaitDriver'?)");
  CHECK(spec_test::spec_error_of([&] {
          parse(head +
                "    uses: |\n      - !WaitDriver {duration: 1s}\n      - !LogDriver {dcos: 1}\n");
        }) == "inline.yml:6:21: unknown option 'dcos' for LogDriver (did you mean 'docs'?)");
  // Folded text cannot be mapped column by column; the error then points at the value.
  CHECK(spec_test::spec_error_of([&] {
          parse(head + "    uses: >\n      - !WiatDriver\n      {}\n");
        }) == "inline.yml:4:11: unknown driver 'WiatDriver' (did you mean 'WaitDriver'?)");
}

TEST_CASE("load_flow_yaml names a file it cannot read", "[flow_spec]") {
  const std::string missing = test::valid_flow_path("no-such-flow.yml");
  CHECK(spec_test::spec_error_of([&] { load_flow_yaml(missing, fixed_env({}), stub_drivers()); }) ==
        missing + ": no such flow file '" + missing + "'");
  CHECK_THAT(spec_test::spec_error_of([&] {
               load_flow_yaml(test::valid_flow_path("data"), fixed_env({}), stub_drivers());
             }),
             Contains("cannot read flow file"));
}

TEST_CASE("FlowBuilder validates like the YAML parser", "[builder]") {
  const auto build = [](FlowBuilder builder) {
    return spec_test::spec_error_of([&] { builder.build(); });
  };
  CHECK(build(FlowBuilder(stub_drivers())) == "FlowBuilder: a flow needs at least one pod");
  CHECK(build(FlowBuilder(stub_drivers()).add("w", "- !WiatDriver {duration: 1s}")) ==
        "FlowBuilder pod 'w' uses:1:3: unknown driver 'WiatDriver' (did you mean 'WaitDriver'?)");
  CHECK(build(FlowBuilder(stub_drivers()).add("w", "_pas")) ==
        "FlowBuilder pod 'w' uses:1:1: unknown uses '_pas' (did you mean '_pass'?)");
  CHECK(build(FlowBuilder(stub_drivers()).add("a").add("b").add("a")) ==
        "FlowBuilder: duplicate pod name 'a' (first added as pod 1)");
  CHECK(build(FlowBuilder(stub_drivers()).add("my pod")) ==
        "FlowBuilder: bad pod name 'my pod': use letters, digits, '_' and '-'");
  CHECK_THAT(build(FlowBuilder(stub_drivers())
                       .transport(Transport::inproc)
                       .add("a", "_pass", Runtime::process)),
             Contains("pod 'a': runtime: process cannot be used with transport inproc"));
  CHECK_THAT(build(FlowBuilder(stub_drivers()).add("a").pod_timeout_ready(0s)),
             Contains("timeout_ready must be greater than 0"));
  CHECK_THAT(build(FlowBuilder(stub_drivers()).add("a").input({"/no/such/lines.txt"})),
             Contains("input lines: no such file '/no/such/lines.txt'"));
  CHECK_THROWS_AS(FlowBuilder(stub_drivers()).pod_timeout_ready(1s), std::logic_error);
}

TEST_CASE("FlowBuilder pods inherit the flow's timeout_ready whenever it is set", "[builder]") {
  const FlowSpec spec =
      FlowBuilder(stub_drivers()).add("a").add("b").pod_timeout_ready(3s).timeout_ready(9s).build();
  CHECK(spec.pods.at(0).timeout_ready == 9s);
  CHECK(spec.pods.at(1).timeout_ready == 3s);
}

TEST_CASE("needs, parallel, polling and the uses keys of a pod parse", "[flow_spec][topology]") {
  const FlowSpec spec =
      load_flow_yaml(test::valid_flow_path("parallel.yml"), fixed_env({}), stub_drivers());
  REQUIRE(spec.pods.size() == 2);
  const PodSpec& encode = spec.pods[0];
  CHECK(encode.needs == std::vector<std::string>{kGateway});  // the first pod's implicit need
  CHECK(encode.parallel == 2);
  CHECK(encode.polling == Polling::any);
  CHECK(encode.scheduling == Scheduling::round_robin);  // from with:
  CHECK(encode.timeout_ready == 15s);                   // from with:
  CHECK(encode.uses_before.by_type.empty());
  CHECK(encode.uses_after.by_type.empty());
  CHECK(spec.timeout_ready == 15s);

  const PodSpec& index = spec.pods[1];
  CHECK(index.needs == std::vector<std::string>{"encode"});  // the pod before
  CHECK(index.parallel == 3);                                // ${JFLOW_TEST_SHARDS} from env:
  CHECK(index.polling == Polling::all);
  CHECK(index.scheduling == Scheduling::load_balance);  // the pod's own key wins over with:
  CHECK(index.runtime == Runtime::process);
  CHECK(index.uses_before.by_type.at(RequestType::search) ==
        std::vector<DriverSpec>{{"LogDriver", "{}", {}}});
  CHECK(index.uses_after.by_type.at(RequestType::index) ==
        std::vector<DriverSpec>{{"MergeMatchesDriver", "{top_k: 5}", {}}});
  CHECK(index.join_timeout == 30s);
}

TEST_CASE("a diamond's needs are kept as written", "[flow_spec][topology]") {
  const FlowSpec spec =
      load_flow_yaml(test::valid_flow_path("diamond.yml"), fixed_env({}), stub_drivers());
  REQUIRE(spec.pods.size() == 4);
  CHECK(spec.pods[1].needs == std::vector<std::string>{"a"});
  CHECK(spec.pods[2].needs == std::vector<std::string>{"a"});
  CHECK(spec.pods[3].needs == std::vector<std::string>{"b", "c"});
  CHECK(spec.pods[3].drivers.by_type.at(RequestType::train) ==
        std::vector<DriverSpec>{{"MergeDriver", "{}", {}}});
  CHECK(spec.pods[3].join_timeout == 5s);
  const std::string file = test::valid_flow_path("diamond.yml");
  CHECK(spec.pods[3].needs_where.at(1).to_string() == file + ":12:16");
}

TEST_CASE("FlowBuilder and YAML give equal specs for a diamond and a polling-all pod",
          "[flow_spec][builder][topology]") {
  const FlowSpec diamond = FlowBuilder(stub_drivers())
                               .add("a")
                               .add("b", "_log")
                               .add("c", "- !WaitDriver {duration: 10ms}")
                               .needs({"a"})
                               .add("d", "_merge")
                               .needs({"b", "c"})
                               .join_timeout(5s)
                               .build();
  CHECK(diamond ==
        load_flow_yaml(test::valid_flow_path("diamond.yml"), fixed_env({}), stub_drivers()));

  const auto parallel = [](std::size_t shards) {
    return FlowBuilder(stub_drivers())
        .timeout_ready(15s)
        .add("encode")
        .parallel(2)
        .scheduling(Scheduling::round_robin)
        .add("index", "- !WaitDriver {duration: 1ms}", Runtime::process)
        .parallel(shards)
        .polling(Polling::all)
        .uses_before("_log")
        .uses_after("- !MergeMatchesDriver {top_k: 5}")
        .build();
  };
  const FlowSpec from_yaml =
      load_flow_yaml(test::valid_flow_path("parallel.yml"), fixed_env({}), stub_drivers());
  CHECK(parallel(3) == from_yaml);
  CHECK_FALSE(parallel(4) == from_yaml);
}

TEST_CASE("flow-level env: feeds ${VAR} - the process environment wins over it", "[env]") {
  const std::string yaml =
      "version: 1\nenv:\n  WAIT: 5ms\n  POD: w-${WAIT}\npods:\n"
      "  - name: ${POD:-none}\n    uses: '- !WaitDriver {duration: ${WAIT}}'\n";
  const auto wait_of = [](const FlowSpec& spec) {
    return spec.pods.at(0).drivers.by_type.at(RequestType::index).at(0).options_yaml;
  };
  SECTION("env: values are used, and may use the entries above them") {
    const FlowSpec spec = parse(yaml);
    CHECK(wait_of(spec) == "{duration: 5ms}");
    CHECK(spec.pods.at(0).name == "w-5ms");
  }
  SECTION("a variable set in the process environment overrides env:") {
    const FlowSpec spec = parse(yaml, fixed_env({{"WAIT", "7ms"}}));
    CHECK(wait_of(spec) == "{duration: 7ms}");
    CHECK(spec.pods.at(0).name == "w-7ms");
  }
}

TEST_CASE("with: gives pods defaults that their own keys override", "[flow_spec][topology]") {
  const FlowSpec spec = parse(
      "version: 1\nwith: {parallel: 2, polling: all, join_timeout: 2s, runtime: process}\npods:\n"
      "  - name: a\n    uses_after: _merge_matches\n"
      "  - name: b\n    parallel: 1\n    runtime: thread\n");
  CHECK(spec.pods[0].parallel == 2);
  CHECK(spec.pods[0].polling == Polling::all);
  CHECK(spec.pods[0].join_timeout == 2s);
  CHECK(spec.pods[0].runtime == Runtime::process);
  CHECK(spec.pods[0].uses_after.by_type.at(RequestType::search) ==
        std::vector<DriverSpec>{{"MergeMatchesDriver", "{}", {}}});
  CHECK(spec.pods[1].parallel == 1);  // polling: all with one pea needs no reducer
  CHECK(spec.pods[1].runtime == Runtime::thread);
}

TEST_CASE("FlowBuilder checks the graph like the YAML parser", "[builder][topology]") {
  const auto build = [](FlowBuilder builder) {
    return spec_test::spec_error_of([&] { builder.build(); });
  };
  CHECK(build(FlowBuilder(stub_drivers()).add("a").add("b").needs({"zzz"})) ==
        "FlowBuilder: pod 'b' needs unknown pod 'zzz'");
  CHECK(build(FlowBuilder(stub_drivers()).add("a").needs({"b"}).add("b")) ==
        "FlowBuilder: cycle: a -> b -> a (a pod cannot need a pod that needs it, directly or not)");
  CHECK_THAT(build(FlowBuilder(stub_drivers()).add("a").add("b").needs({"gateway"})),
             Contains("pod 'a' is dangling"));
  CHECK(build(FlowBuilder(stub_drivers()).add("a").parallel(0)) ==
        "FlowBuilder: pod 'a': parallel must be at least 1, got 0 (1 runs the pod as one pea)");
  CHECK(build(FlowBuilder(stub_drivers()).add("a").parallel(2).polling(Polling::all)) ==
        "FlowBuilder: pod 'a': polling: all needs a reducer in uses_after, e.g. uses_after: "
        "_merge_matches");
  CHECK(build(FlowBuilder(stub_drivers()).add("a").uses_after("_merg")) ==
        "FlowBuilder pod 'a' uses_after:1:1: unknown uses '_merg' (did you mean '_merge'?)");
  CHECK_THAT(build(FlowBuilder(stub_drivers()).add("a").needs({})),
             Contains("needs: expected at least one pod name"));
  CHECK_THAT(build(FlowBuilder(stub_drivers()).add("a").join_timeout(0s)),
             Contains("join_timeout must be greater than 0"));
  CHECK_THROWS_AS(FlowBuilder(stub_drivers()).parallel(2), std::logic_error);
}

TEST_CASE("the uses aliases name their drivers", "[uses]") {
  std::vector<std::string> names;
  for (const UsesAlias& alias : uses_aliases()) names.emplace_back(alias.name);
  CHECK(names == std::vector<std::string>{"_pass", "_log", "_merge", "_merge_matches"});
  CHECK(index_chain_of("    uses: _merge_matches\n") ==
        std::vector<DriverSpec>{{"MergeMatchesDriver", "{}", {}}});
}
