// JSON in and out of the HTTP endpoint, with Debian's nlohmann-json.
#include "serve/serve_json.hpp"

#include <limits>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "base/utf8.hpp"

namespace jflow::serve {

namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw JsonError(where + ": " + what);
}

std::string_view kind(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "bool";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    default:
      return "binary";
  }
}

std::string expected(std::string_view what, const json& got) {
  return "expected " + std::string(what) + ", got " + std::string(kind(got));
}

std::int64_t positive(const json& value, const std::string& where) {
  if (!value.is_number_integer()) fail(where, expected("a positive integer", value));
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u == 0 || u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      fail(where, "expected a positive integer, got " + value.dump());
    return static_cast<std::int64_t>(u);
  }
  const auto i = value.get<std::int64_t>();
  if (i <= 0) fail(where, "expected a positive integer, got " + value.dump());
  return i;
}

std::string text(const json& value, const std::string& where) {
  if (!value.is_string()) fail(where, expected("a string", value));
  return value.get<std::string>();
}

Value scalar(const json& value, const std::string& where) {
  if (value.is_null()) return std::monostate{};
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      fail(where, "integer " + value.dump() + " does not fit int64");
    return static_cast<std::int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) return value.get<double>();
  if (value.is_string()) return value.get<std::string>();
  fail(where, expected("a number, string, bool or null", value));
}

Document document(const json& value, const std::string& where) {
  if (!value.is_object()) fail(where, expected("an object", value));
  Document doc;
  for (const auto& [key, field] : value.items()) {
    const std::string at = where + "." + key;
    if (key == "id") {
      doc.id = text(field, at);
    } else if (key == "text") {
      doc.text = text(field, at);
    } else if (key == "tags") {
      if (!field.is_object()) fail(at, expected("an object", field));
      for (const auto& [tag, tag_value] : field.items())
        doc.tags[tag] = scalar(tag_value, at + "." + tag);
    } else {
      fail(at, "unknown key (a document has id, text, tags)");
    }
  }
  return doc;
}

json value_json(const Value& value) {
  return std::visit(
      [](const auto& v) -> json {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>) {
          return nullptr;
        } else {
          return v;
        }
      },
      value);
}

json tags_json(const ValueMap& tags) {
  json out = json::object();
  for (const auto& [key, value] : tags) out[key] = value_json(value);
  return out;
}

json document_json(const Document& doc, int depth) {
  json out = {{"id", doc.id}, {"text", doc.text}, {"score", doc.score}};
  if (!doc.tags.empty()) out["tags"] = tags_json(doc.tags);
  if (!doc.raw.empty()) out["raw_bytes"] = doc.raw.size();
  if (!doc.embedding.empty()) {
    out["embedding"] = {{"dtype", std::string(dtype_name(doc.embedding.dtype))},
                        {"shape", doc.embedding.shape}};
  }
  if (depth < 32) {
    if (!doc.matches.empty()) {
      json matches = json::array();
      for (const Document& match : doc.matches) matches.push_back(document_json(match, depth + 1));
      out["matches"] = std::move(matches);
    }
    if (!doc.chunks.empty()) {
      json chunks = json::array();
      for (const Document& chunk : doc.chunks) chunks.push_back(document_json(chunk, depth + 1));
      out["chunks"] = std::move(chunks);
    }
  }
  return out;
}

json status_object(const Status& status) {
  return {{"code", std::string(status_code_name(status.code))},
          {"message", status.message},
          {"pod", status.pod},
          {"executor", status.executor}};
}

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

HttpQuery parse_query(std::string_view body) {
  // nlohmann keeps the last of duplicate keys without a word; a client that sent two top_k
  // values deserves to hear which one is wrong, so the parser's events refuse them.
  std::vector<std::set<std::string>> keys_of_open_objects;
  std::string last_key;  // a number that overflows is the value of the last key read
  const json::parser_callback_t refuse_duplicates = [&](int, json::parse_event_t event,
                                                        json& parsed) {
    if (event == json::parse_event_t::object_start) {
      keys_of_open_objects.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      keys_of_open_objects.pop_back();
    } else if (event == json::parse_event_t::key && !keys_of_open_objects.empty()) {
      const std::string& key = parsed.get_ref<const std::string&>();
      last_key = key;
      if (!keys_of_open_objects.back().insert(key).second) {
        throw JsonError("invalid JSON: duplicate key " + dump(json(key)));
      }
    }
    return true;
  };
  json root;
  try {
    root = json::parse(body.begin(), body.end(), refuse_duplicates);
  } catch (const json::out_of_range& e) {
    // A number past double's range (1e400): say whose value it was.
    throw JsonError((last_key.empty() ? "" : escape_invalid_utf8(last_key) + ": ") +
                    "invalid JSON: " + e.what());
  } catch (const json::exception& e) {
    throw JsonError(std::string("invalid JSON: ") + e.what());
  }
  if (!root.is_object()) fail("body", expected("an object", root));
  HttpQuery query;
  bool have_docs = false;
  for (const auto& [key, value] : root.items()) {
    if (key == "data" || key == "docs") {
      if (have_docs) fail(key, "give either data or docs, not both");
      have_docs = true;
      if (!value.is_array()) fail(key, expected("an array", value));
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string at = key + "[" + std::to_string(i) + "]";
        if (key == "data") {
          query.docs.emplace_back().text = text(value[i], at);
        } else {
          query.docs.push_back(document(value[i], at));
        }
      }
    } else if (key == "top_k") {
      query.top_k = positive(value, key);
    } else if (key == "request_size") {
      query.request_size = static_cast<std::size_t>(positive(value, key));
    } else {
      fail(key, "unknown key (the body has data or docs, top_k, request_size)");
    }
  }
  if (!have_docs) fail("body", "needs data (a list of strings) or docs (a list of documents)");
  return query;
}

std::string responses_json(const std::vector<Response>& responses) {
  Status status;
  std::size_t failed = 0;
  json docs = json::array();
  for (const Response& response : responses) {
    if (!response.ok()) {
      if (failed++ == 0) status = response.status();
      continue;
    }
    for (const Document& doc : response.request.docs) docs.push_back(document_json(doc, 0));
  }
  json out = {{"status", status_object(status)},
              {"requests", responses.size()},
              {"failed", failed},
              {"docs", std::move(docs)}};
  return dump(out);
}

std::string status_json(const ServerStatus& status) {
  std::map<std::string, json> pods;
  std::vector<std::string> order;
  for (const PeaStatus& pea : status.peas) {
    if (!pods.count(pea.pod)) {
      order.push_back(pea.pod);
      pods[pea.pod] = {{"name", pea.pod}, {"peas", json::array()}};
    }
    json entry = {{"name", pea.pea},    {"role", pea.role},         {"runtime", pea.runtime},
                  {"state", pea.state}, {"endpoint", pea.endpoint}, {"restarts", pea.restarts}};
    if (pea.pid != 0) entry["pid"] = pea.pid;
    if (!pea.last_error.empty()) entry["last_error"] = pea.last_error;
    pods[pea.pod]["peas"].push_back(std::move(entry));
  }
  for (const PodHealth& health : status.health) {
    if (!pods.count(health.pod)) continue;
    pods[health.pod]["ready"] = health.ready;
    if (!health.ready) pods[health.pod]["why"] = health.why;
  }
  json pod_list = json::array();
  for (const std::string& name : order) pod_list.push_back(std::move(pods[name]));
  json out = {{"state", status.state},
              {"ready", status.ready()},
              {"pods", std::move(pod_list)},
              {"in_flight", status.in_flight},
              {"served", status.served},
              {"failed", status.failed},
              {"undeliverable", status.undeliverable}};
  return dump(out);
}

std::string readiness_json(const ServerStatus& status) {
  json not_ready = json::array();
  for (const PodHealth& pod : status.health) {
    if (!pod.ready) {
      not_ready.push_back({{"name", pod.pod},
                           {"peas", pod.peas},
                           {"peas_alive", pod.peas_alive},
                           {"why", pod.why}});
    }
  }
  json out = {{"ready", status.ready()}, {"state", status.state}};
  if (!status.ready()) {
    out["pods"] = std::move(not_ready);
    out["why"] = status.not_ready_reason();
  }
  return dump(out);
}

std::string error_json(std::string_view code, std::string_view message) {
  return dump(json{{"status", {{"code", code}, {"message", message}}}});
}

}  // namespace jflow::serve
