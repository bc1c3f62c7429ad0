// A small tree of YAML values and its writer, for the files `jflow export` writes (Kubernetes
// manifests, a Compose file). yaml-cpp's emitter writes "45600" and "on" as plain scalars, which a
// reader takes for a number and a boolean; here every string is quoted (or a literal block) and
// only numbers and booleans are plain, so what was meant is what is read.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace jflow::deploy {

class Yaml {
 public:
  static Yaml map();
  static Yaml list();
  Yaml(std::string text);
  Yaml(const char* text) : Yaml(std::string(text)) {}
  Yaml(std::int64_t number);
  Yaml(int number) : Yaml(static_cast<std::int64_t>(number)) {}
  static Yaml boolean(bool value);
  static Yaml strings(const std::vector<std::string>& items);  // a list of strings

  // Adds a key to a map (keys keep the order they are added in) and returns *this.
  Yaml& set(std::string key, Yaml value);
  // Appends to a list and returns *this.
  Yaml& add(Yaml value);
  bool empty() const { return entries_.empty() && items_.empty(); }

  // The block-style text, ending in a newline.
  std::string text() const;

 private:
  enum class Kind { map, list, string, plain };
  explicit Yaml(Kind kind) : kind_(kind) {}
  void write(std::string& out, int indent) const;
  bool nested() const { return (kind_ == Kind::map || kind_ == Kind::list) && !empty(); }

  Kind kind_;
  std::string scalar_;
  std::vector<std::pair<std::string, Yaml>> entries_;
  std::vector<Yaml> items_;
};

// Several objects in one file, separated by `---`.
std::string yaml_documents(const std::vector<Yaml>& documents);

}  // namespace jflow::deploy
