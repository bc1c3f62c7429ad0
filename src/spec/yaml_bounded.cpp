// load_bounded: a first pass over the parser's events weighs each anchored node (its nodes and
// scalar bytes, aliases inside it included) and adds that weight at every alias, so the expanded
// size is known without expanding anything; only then is the text loaded.
#include "spec/yaml_bounded.hpp"

#include <map>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

namespace jflow::spec {
namespace {

struct Weight {
  std::size_t nodes = 0;
  std::size_t bytes = 0;
};

class ExpansionCounter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    // yaml-cpp 0.7 does not consume a token it cannot place at a document's top level (a stray
    // ',', ']' or '}'): HandleNextDocument then reports an empty document at the same place
    // forever, and YAML::LoadAll never returns (found by fuzz/fuzz_flow_yaml.cpp: ",a").
    if (documents_++ > 0 && mark.pos == last_start_) {
      throw YAML::ParserException(mark, "unexpected character at the top level");
    }
    last_start_ = mark.pos;
    open_.clear();
    anchors_.clear();
    total_ = {};
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    leaf(mark, anchor, {1, 0});
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    // `x: &a [1, *a]`: yaml-cpp builds a node that contains itself, and every walk over the tree
    // then recurses until the stack overflows (found by fuzz/fuzz_flow_yaml.cpp).
    for (const Open& open : open_) {
      if (open.anchor == anchor) {
        throw YAML::ParserException(mark, "an alias inside the node it names (a cycle)");
      }
    }
    const auto found = anchors_.find(anchor);
    leaf(mark, 0, found == anchors_.end() ? Weight{1, 0} : found->second);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    leaf(mark, anchor, {1, value.size()});
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YAML::anchor_t anchor;
    Weight weight;
  };

  void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    add(mark, {1, 0});
    open_.push_back({anchor, {1, 0}});
  }
  void close() {
    const Open done = open_.back();
    open_.pop_back();
    if (done.anchor != 0) anchors_[done.anchor] = done.weight;
    if (!open_.empty()) {
      open_.back().weight.nodes += done.weight.nodes;
      open_.back().weight.bytes += done.weight.bytes;
    }
  }
  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, Weight weight) {
    add(mark, weight);
    if (anchor != 0) anchors_[anchor] = weight;
    if (!open_.empty()) {
      open_.back().weight.nodes += weight.nodes;
      open_.back().weight.bytes += weight.bytes;
    }
  }
  // Every weight is below the bounds (a larger one was refused when it formed), so the sums
  // cannot overflow before they are refused.
  void add(const YAML::Mark& mark, Weight weight) {
    total_.nodes += weight.nodes;
    total_.bytes += weight.bytes;
    if (total_.nodes > kMaxYamlNodes) {
      throw YAML::ParserException(mark, "anchors and aliases expand this document past " +
                                            std::to_string(kMaxYamlNodes) + " nodes");
    }
    if (total_.bytes > kMaxYamlScalarBytes) {
      throw YAML::ParserException(mark, "anchors and aliases expand this document past " +
                                            std::to_string(kMaxYamlScalarBytes) +
                                            " bytes of values");
    }
  }

  std::size_t documents_ = 0;
  int last_start_ = -1;
  std::vector<Open> open_;
  std::map<YAML::anchor_t, Weight> anchors_;
  Weight total_;
};

void check_expansion(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  ExpansionCounter counter;
  while (parser.HandleNextDocument(counter)) {
  }
}

}  // namespace

YAML::Node load_bounded(const std::string& text) {
  check_expansion(text);
  return YAML::Load(text);
}

std::vector<YAML::Node> load_all_bounded(const std::string& text) {
  check_expansion(text);
  return YAML::LoadAll(text);
}

}  // namespace jflow::spec
