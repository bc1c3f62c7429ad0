// DriverRegistry and DriverOptions: how a driver kind named in YAML becomes a validated driver.
#include <stdexcept>

#include "jflow/driver.hpp"
#include "spec/spec_support.hpp"

namespace jflow {
namespace {

bool holds_no_options(const YAML::Node& node) {
  // `- !ForwardDriver` with nothing after the tag parses as an empty scalar, `{}` as an empty map.
  return !node.IsDefined() || node.IsNull() || (node.IsScalar() && node.Scalar().empty());
}

}  // namespace

DriverOptions::DriverOptions(const YAML::Node& node, std::string file, std::string kind)
    : node_(node), file_(std::move(file)), kind_(std::move(kind)) {
  if (!holds_no_options(node_) && !node_.IsMap()) {
    throw SpecError(
        spec::location_of(node_, file_),
        "options of " + kind_ + " must be a map like {key: value}, got " + spec::describe(node_));
  }
}

namespace {

std::optional<spec::Field> find_option(const YAML::Node& node, const std::string& file,
                                       const std::string& key) {
  if (!node.IsMap()) return std::nullopt;
  for (const auto& entry : node) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) {
      return spec::Field{key, entry.first, entry.second, &file};
    }
  }
  return std::nullopt;
}

}  // namespace

std::string DriverOptions::get_string(const std::string& key, const std::string& fallback) {
  read_keys_.push_back(key);
  const auto field = find_option(node_, file_, key);
  return field ? field->as_string() : fallback;
}

double DriverOptions::get_number(const std::string& key, double fallback) {
  read_keys_.push_back(key);
  const auto field = find_option(node_, file_, key);
  return field ? field->as_number() : fallback;
}

std::int64_t DriverOptions::get_integer(const std::string& key, std::int64_t fallback) {
  read_keys_.push_back(key);
  const auto field = find_option(node_, file_, key);
  return field ? field->as_integer() : fallback;
}

bool DriverOptions::get_bool(const std::string& key, bool fallback) {
  read_keys_.push_back(key);
  const auto field = find_option(node_, file_, key);
  return field ? field->as_bool() : fallback;
}

Duration DriverOptions::get_duration(const std::string& key, Duration fallback) {
  read_keys_.push_back(key);
  const auto field = find_option(node_, file_, key);
  return field ? field->as_duration() : fallback;
}

void DriverOptions::finish() const {
  // The keys a factory read are exactly the options it understands, so they double as the
  // candidates for "did you mean".
  if (node_.IsMap()) spec::check_map_keys(node_, file_, "option", "for " + kind_, read_keys_);
}

void DriverOptions::fail(const std::string& key, const std::string& message) const {
  const auto field = key.empty() ? std::nullopt : find_option(node_, file_, key);
  throw SpecError(field ? field->where() : spec::location_of(node_, file_), message);
}

std::unique_ptr<Driver> DriverRegistry::create(std::string_view kind, const YAML::Node& options,
                                               const std::string& file) const {
  const SourceLocation where = spec::location_of(options, file);
  const Entry* entry = find(kind);
  if (entry == nullptr) spec::throw_unknown_kind(where, noun(), kind, kinds());
  DriverOptions reader(options, file, std::string(kind));
  return spec::make_located<std::unique_ptr<Driver>>(where, kind, reader, entry->factory);
}

namespace spec {

void throw_unknown_kind(const SourceLocation& where, const std::string& noun, std::string_view kind,
                        const std::vector<std::string>& known) {
  std::string hint = did_you_mean(kind, known);
  if (hint.empty()) {
    std::string names;
    for (const std::string& name : known) names += (names.empty() ? "" : ", ") + name;
    hint = " (known " + noun + "s: " + names + ")";
  }
  throw SpecError(where, "unknown " + noun + " '" + std::string(kind) + "'" + hint);
}

}  // namespace spec

}  // namespace jflow
