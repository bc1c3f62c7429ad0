// An executor shipped as a plugin: WordStats tags each document with its word count and its
// longest word. Build it against the installed jflow headers, list it in a flow's `plugins:`, and
// `uses: WordStats` works like a built-in executor:
//
//   plugins: [build/examples/plugin/libword_stats.so]
//   pods:
//     - name: stats
//       uses: !WordStats {with: {min_length: 2}}
#include <jflow/plugin.hpp>

#include <cctype>
#include <memory>
#include <string>

namespace {

class WordStats : public jflow::Crafter {
 public:
  WordStats(std::size_t min_length, jflow::ExecutorMetas metas)
      : Crafter(std::move(metas)), min_length_(min_length) {}

  std::string_view kind() const override { return "WordStats"; }

  void craft(jflow::Document& document) override {
    std::int64_t words = 0;
    std::string longest, word;
    const auto finish_word = [&] {
      if (word.size() >= min_length_) {
        ++words;
        if (word.size() > longest.size()) longest = word;
      }
      word.clear();
    };
    for (char c : document.text) {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        word += c;
      } else {
        finish_word();
      }
    }
    finish_word();
    document.tags["words"] = words;
    document.tags["longest_word"] = longest;
  }

  static jflow::ExecutorInfo info() {
    return {"WordStats",
            "tags each document with its word count and longest word (an example plugin)",
            {{"min_length", "integer", "1", "words shorter than this are not counted"}},
            "{index: [!CraftDriver {level: root}], search: [!CraftDriver {level: root}]}"};
  }

 private:
  std::size_t min_length_;
};

}  // namespace

JFLOW_PLUGIN(registrar) {
  registrar.executors.add(
      WordStats::info(), [](jflow::DriverOptions& with, const jflow::ExecutorMetas& metas) {
        const std::int64_t min_length = with.get_integer("min_length", 1);
        if (min_length < 1) with.fail("min_length", "min_length must be at least 1");
        with.finish();
        return std::make_unique<WordStats>(static_cast<std::size_t>(min_length), metas);
      });
}
