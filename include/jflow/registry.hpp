// KindRegistry: kinds by the name a flow file gives them — DriverRegistry (jflow/driver.hpp) and
// ExecutorRegistry (jflow/executor.hpp) are this template — each kind with its info, its factory
// and where it was registered. One rule for a kind added twice, whoever adds it: add() throws
// std::invalid_argument naming the kind and where it was registered first. A plugin can
// therefore neither replace a built-in nor another plugin's kind by accident.
// Thread-safety: none; registries are filled before flows start (see jflow/plugin.hpp).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jflow {

template <typename Info, typename Factory>
class KindRegistry {
 public:
  // `origin` names where the kind comes from, for the duplicate message ("plugin 'lib.so'").
  void add(Info info, Factory factory, std::string origin = {}) {
    refuse_known(info.kind);
    entries_.push_back({std::move(info), std::move(factory), std::move(origin)});
  }
  // Adds every kind of `other` as coming from `origin`; when any is known already, throws and
  // adds none.
  void add_all(const KindRegistry& other, const std::string& origin) {
    check_can_add(other);
    for (const Entry& entry : other.entries_) add(entry.info, entry.factory, origin);
  }
  // Throws as add() would for the first kind of `other` that is known here.
  void check_can_add(const KindRegistry& other) const {
    for (const Entry& entry : other.entries_) refuse_known(entry.info.kind);
  }

  bool contains(std::string_view kind) const { return find(kind) != nullptr; }
  std::vector<std::string> kinds() const {
    std::vector<std::string> result;
    for (const Entry& entry : entries_) result.push_back(entry.info.kind);
    return result;
  }
  const Info* info(std::string_view kind) const {
    const Entry* entry = find(kind);
    return entry ? &entry->info : nullptr;
  }

 protected:
  // `noun` names what the registry holds in its messages: "driver", "executor".
  explicit KindRegistry(const char* noun) : noun_(noun) {}

  struct Entry {
    Info info;
    Factory factory;
    std::string origin;  // empty: not said
  };
  const Entry* find(std::string_view kind) const {
    for (const Entry& entry : entries_) {
      if (entry.info.kind == kind) return &entry;
    }
    return nullptr;
  }
  const char* noun() const { return noun_; }

 private:
  void refuse_known(const std::string& kind) const {
    const Entry* known = find(kind);
    if (known == nullptr) return;
    std::string message = std::string(noun_) + " kind '" + kind + "' is registered twice";
    if (!known->origin.empty()) message += " (first by " + known->origin + ")";
    throw std::invalid_argument(message);
  }

  const char* noun_;
  std::vector<Entry> entries_;
};

}  // namespace jflow
