#include "deploy/yaml_writer.hpp"

#include <cstdio>

namespace jflow::deploy {
namespace {

// A double-quoted YAML scalar: JSON's escapes are YAML's.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\x%02x", c);
          out += escape;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// A file's text reads best as a literal block; that keeps it exactly only when it ends in one
// newline, holds no control characters but tabs, and its first line does not start with a space
// (which would be taken for more indentation).
bool fits_literal_block(const std::string& text) {
  if (text.size() < 2 || text.back() != '\n' || text[text.size() - 2] == '\n') return false;
  if (text.front() == ' ' || text.front() == '\n') return false;
  for (unsigned char c : text) {
    if (c < 0x20 && c != '\n' && c != '\t') return false;
  }
  return text.find(" \n") == std::string::npos;
}

void write_key(std::string& out, const std::string& key) {
  bool plain = !key.empty();
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.' || c == '/';
    plain = plain && ok;
  }
  out += plain ? key : quoted(key);
}

}  // namespace

Yaml Yaml::map() {
  return Yaml(Kind::map);
}
Yaml Yaml::list() {
  return Yaml(Kind::list);
}
Yaml::Yaml(std::string text) : kind_(Kind::string), scalar_(std::move(text)) {}
Yaml::Yaml(std::int64_t number) : kind_(Kind::plain), scalar_(std::to_string(number)) {}
Yaml Yaml::boolean(bool value) {
  Yaml yaml(Kind::plain);
  yaml.scalar_ = value ? "true" : "false";
  return yaml;
}

Yaml Yaml::strings(const std::vector<std::string>& items) {
  Yaml list = Yaml::list();
  for (const std::string& item : items) list.add(item);
  return list;
}

Yaml& Yaml::set(std::string key, Yaml value) {
  entries_.emplace_back(std::move(key), std::move(value));
  return *this;
}

Yaml& Yaml::add(Yaml value) {
  items_.push_back(std::move(value));
  return *this;
}

void Yaml::write(std::string& out, int indent) const {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  // Called at the start of a line already indented for this value (or after "- ").
  switch (kind_) {
    case Kind::plain:
      out += scalar_ + "\n";
      return;
    case Kind::string:
      if (fits_literal_block(scalar_)) {
        out += "|\n";
        std::size_t start = 0;
        while (start < scalar_.size()) {
          const std::size_t end = scalar_.find('\n', start);
          const std::string line = scalar_.substr(start, end - start);
          out += line.empty() ? "\n" : pad + "  " + line + "\n";
          start = end + 1;
        }
      } else {
        out += quoted(scalar_) + "\n";
      }
      return;
    case Kind::map:
      if (entries_.empty()) {
        out += "{}\n";
        return;
      }
      for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (i > 0) out += pad;
        const auto& [key, value] = entries_[i];
        write_key(out, key);
        out += ":";
        if (value.kind_ == Kind::map && value.nested()) {
          out += "\n" + pad + "  ";
          value.write(out, indent + 2);
        } else if (value.kind_ == Kind::list && value.nested()) {
          out += "\n" + pad;
          value.write(out, indent);
        } else {
          out += " ";
          value.write(out, indent + 2);
        }
      }
      return;
    case Kind::list:
      if (items_.empty()) {
        out += "[]\n";
        return;
      }
      for (std::size_t i = 0; i < items_.size(); ++i) {
        if (i > 0) out += pad;
        out += "- ";
        items_[i].write(out, indent + 2);
      }
      return;
  }
}

std::string Yaml::text() const {
  std::string out;
  write(out, 0);
  return out;
}

std::string yaml_documents(const std::vector<Yaml>& documents) {
  std::string out;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    if (i > 0) out += "---\n";
    out += documents[i].text();
  }
  return out;
}

}  // namespace jflow::deploy
