// Located values and located errors for the flow-spec parser; see spec_support.hpp.
#include "spec/spec_support.hpp"

#include <algorithm>
#include <system_error>

#include "base/text.hpp"

namespace jflow::spec {
namespace {

YAML::Node plain_copy(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return YAML::Node(node.Scalar());
    case YAML::NodeType::Sequence: {
      YAML::Node copy(YAML::NodeType::Sequence);
      for (const YAML::Node& item : node) copy.push_back(plain_copy(item));
      return copy;
    }
    case YAML::NodeType::Map: {
      YAML::Node copy(YAML::NodeType::Map);
      for (const auto& entry : node)
        copy.force_insert(plain_copy(entry.first), plain_copy(entry.second));
      return copy;
    }
    default:
      return YAML::Node(YAML::NodeType::Null);
  }
}

}  // namespace

SourceLocation location_of(const YAML::Mark& mark, const std::string& file) {
  if (mark.line < 0 || mark.column < 0) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

SourceLocation location_of(const YAML::Node& node, const std::string& file) {
  if (!node.IsDefined()) return {file, 0, 0};
  return location_of(node.Mark(), file);
}

YAML::Mark mark_in(std::string_view text, const YAML::Mark& mark) {
  if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) > text.size()) return mark;
  YAML::Mark result = mark;
  const std::string_view before = text.substr(0, static_cast<std::size_t>(mark.pos));
  result.line = static_cast<int>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t line_start = before.rfind('\n');
  result.column = static_cast<int>(
      line_start == std::string_view::npos ? before.size() : before.size() - line_start - 1);
  return result;
}

std::string describe(const YAML::Node& node) {
  // Long values are cut so that the message stays on one line.
  constexpr std::size_t kLongest = 40;
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  std::string text = node.Scalar();
  if (text.size() > kLongest) text = text.substr(0, kLongest - 3) + "...";
  return "'" + text + "'";
}

bool has_local_tag(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  return tag.size() > 1 && tag.front() == '!';
}

SourceLocation locate_in_scalar(const YAML::Node& scalar, std::string_view source,
                                const std::string& file, int line, int column) {
  const SourceLocation fallback = location_of(scalar, file);
  const YAML::Mark mark = scalar.Mark();
  if (source.empty() || !scalar.IsScalar() || mark.pos < 0 ||
      static_cast<std::size_t>(mark.pos) >= source.size()) {
    return fallback;
  }
  const auto pos = static_cast<std::size_t>(mark.pos);
  const std::string& value = scalar.Scalar();

  if (value.find('\n') == std::string::npos) {
    if (line != 0) return fallback;
    // The value starts at the mark for a plain scalar and one character later for a quoted one.
    for (std::size_t quote : {0, 1}) {
      if (source.substr(pos + quote, value.size()) == value) {
        return {file, mark.line + 1, mark.column + static_cast<int>(quote) + column + 1};
      }
    }
    return fallback;
  }

  // A literal block (`|`): its lines follow the header line, each behind the block's indentation.
  if (source[pos] != '|') return fallback;
  std::size_t line_start = source.find('\n', pos);
  for (int i = 0; i < line && line_start != std::string_view::npos; ++i) {
    line_start = source.find('\n', line_start + 1);
  }
  if (line_start == std::string_view::npos) return fallback;
  ++line_start;
  std::size_t line_end = source.find('\n', line_start);
  if (line_end == std::string_view::npos) line_end = source.size();
  std::string_view source_line = source.substr(line_start, line_end - line_start);
  if (!source_line.empty() && source_line.back() == '\r') source_line.remove_suffix(1);

  std::size_t value_start = 0;
  for (int i = 0; i < line; ++i) value_start = value.find('\n', value_start) + 1;
  const std::string_view value_line =
      std::string_view(value).substr(value_start, value.find('\n', value_start) - value_start);
  const std::size_t indent = source_line.size() - std::min(source_line.size(), value_line.size());
  if (source_line.substr(indent) != value_line ||
      source_line.substr(0, indent).find_first_not_of(' ') != std::string_view::npos) {
    return fallback;
  }
  return {file, mark.line + 2 + line, static_cast<int>(indent) + column + 1};
}

std::string canonical_yaml(const YAML::Node& node) {
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << plain_copy(node);
  return out.c_str();
}

SourceLocation Field::where() const {
  if (!value.IsDefined() || value.IsNull()) return location_of(key_node, *file);
  return location_of(value, *file);
}

void Field::fail(const std::string& message) const {
  throw SpecError(where(), message);
}

std::string Field::as_string() const {
  if (!value.IsScalar()) fail(key + ": expected a string, got " + describe(value));
  return value.Scalar();
}

std::int64_t Field::as_integer() const {
  std::int64_t result = 0;
  if (!value.IsScalar() || !YAML::convert<std::int64_t>::decode(value, result)) {
    fail(key + ": expected a whole number, got " + describe(value));
  }
  return result;
}

double Field::as_number() const {
  double result = 0;
  if (!value.IsScalar() || !YAML::convert<double>::decode(value, result)) {
    fail(key + ": expected a number, got " + describe(value));
  }
  return result;
}

bool Field::as_bool() const {
  bool result = false;
  if (!value.IsScalar() || !YAML::convert<bool>::decode(value, result)) {
    fail(key + ": expected true or false, got " + describe(value));
  }
  return result;
}

Duration Field::as_duration() const {
  std::optional<Duration> result;
  if (value.IsScalar()) result = parse_duration(value.Scalar());
  if (!result && value.IsScalar() && duration_too_long(value.Scalar())) {
    fail(key + ": a duration of at most " + format_duration(kMaxDuration) + " (100 years), got " +
         describe(value));
  }
  if (!result) fail(key + ": expected a duration like 5s or 200ms, got " + describe(value));
  return *result;
}

void check_map_keys(const YAML::Node& map, const std::string& file, const std::string& noun,
                    const std::string& owner, const std::vector<std::string>& known) {
  std::vector<std::pair<std::string, int>> seen;  // key and its 1-based line
  for (const auto& entry : map) {
    const YAML::Node& key = entry.first;
    const SourceLocation where = location_of(key, file);
    if (!key.IsScalar()) {
      throw SpecError(where, noun + " names must be plain words, got " + describe(key));
    }
    const std::string& name = key.Scalar();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string hint = did_you_mean(name, known);
      if (hint.empty()) {
        hint = known.empty() ? " (it takes no " + noun + "s)"
                             : " (known " + noun + "s: " + join_text(known, ", ") + ")";
      }
      throw SpecError(where, "unknown " + noun + " '" + name + "' " + owner + hint);
    }
    const auto first = std::find_if(seen.begin(), seen.end(),
                                    [&](const auto& earlier) { return earlier.first == name; });
    if (first != seen.end()) {
      throw SpecError(where, "duplicate " + noun + " '" + name + "' " + owner +
                                 " (first given at line " + std::to_string(first->second) + ")");
    }
    seen.emplace_back(name, where.line);
  }
}

MapReader::MapReader(YAML::Node map, const std::string& file, std::string owner,
                     std::vector<std::string> known_keys)
    : map_(std::move(map)),
      file_(file),
      owner_(std::move(owner)),
      known_keys_(std::move(known_keys)) {}

void MapReader::check_keys() const {
  check_map_keys(map_, file_, "key", "in " + owner_, known_keys_);
}

void MapReader::require(const std::string& key) const {
  if (!get(key)) {
    throw SpecError(location_of(map_, file_), "missing required key '" + key + "' in " + owner_);
  }
}

std::optional<Field> MapReader::get(const std::string& key) const {
  for (const auto& entry : map_) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) {
      return Field{key, entry.first, entry.second, &file_};
    }
  }
  return std::nullopt;
}

std::string max_in_flight_problem(const std::string& given) {
  return "max_in_flight: expected 1 to " + std::to_string(defaults::kMaxInFlightLimit) +
         " requests in flight at once, got " + given;
}

Duration read_positive_duration(const Field& field) {
  const Duration value = field.as_duration();
  if (value <= Duration::zero()) field.fail(field.key + " must be greater than 0");
  return value;
}

std::optional<std::string> pod_name_problem(const std::string& name) {
  // `needs: gateway` names the Flow itself, so a pod of that name would be ambiguous.
  if (name == kGateway) return "bad pod name 'gateway': the name is reserved for the Flow itself";
  const auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  };
  if (!name.empty() && std::all_of(name.begin(), name.end(), allowed)) return std::nullopt;
  // Names end up in endpoints, ipc socket paths and log lines, hence the small alphabet.
  return "bad pod name '" + name + "': use letters, digits, '_' and '-'";
}

std::optional<std::string> input_lines_problem(const std::filesystem::path& resolved,
                                               const std::string& as_written) {
  std::error_code error;
  const auto status = std::filesystem::status(resolved, error);
  if (!std::filesystem::exists(status)) {
    return "no such file '" + as_written + "' (paths are relative to the flow file's folder)";
  }
  if (std::filesystem::is_directory(status)) return "'" + as_written + "' is a folder, not a file";
  return std::nullopt;
}

std::string inproc_needs_threads_message() {
  return "runtime: process cannot be used with transport inproc, which only connects peas inside "
         "one process (use transport ipc or tcp)";
}

}  // namespace jflow::spec
