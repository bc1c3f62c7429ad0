// prometheus_text(): a FlowMetrics snapshot in the Prometheus text exposition format 0.0.4 —
// `# HELP` and `# TYPE` once per family, then one line per sample. Written by hand: the format is
// a page of rules, smaller than a dependency (docs/OPERATING.md names every metric).
#include <array>
#include <charconv>
#include <string>
#include <string_view>

#include "jflow/metrics.hpp"

namespace jflow {
namespace {

// Label values may hold anything; the format asks for \\, \" and \n escaped.
void append_label(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += "=\"";
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  out += '"';
}

void append_number(std::string& out, double value) {
  std::array<char, 32> buffer{};
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out.append(buffer.data(), ec == std::errc() ? end : buffer.data());
}

void append_number(std::string& out, std::uint64_t value) {
  out += std::to_string(value);
}

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// One sample: `name{labels} value`. `labels` is written already, without braces.
template <typename Number>
void sample(std::string& out, std::string_view name, const std::string& labels, Number value) {
  out.append(name).append("{").append(labels).append("} ");
  append_number(out, value);
  out += '\n';
}

std::string flow_labels(const FlowMetrics& metrics) {
  std::string labels;
  append_label(labels, "flow", metrics.flow);
  return labels;
}

std::string pea_labels(const FlowMetrics& metrics, const PeaMetrics& pea) {
  std::string labels = flow_labels(metrics);
  labels += ',';
  append_label(labels, "pod", pea.pod);
  labels += ',';
  append_label(labels, "pea", pea.pea);
  return labels;
}

std::string count_labels(std::string labels, const RequestCount& count) {
  labels += ',';
  append_label(labels, "type", request_type_name(count.type));
  labels += ',';
  append_label(labels, "status", count.status);
  return labels;
}

void histogram(std::string& out, std::string_view name, const std::string& labels,
               const DurationHistogram& h) {
  const std::string bucket = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.bucket_counts.size(); ++i) {
    cumulative += h.bucket_counts[i];
    std::string le;
    if (i < h.upper_bounds.size()) {
      append_number(le, h.upper_bounds[i]);
    } else {
      le = "+Inf";
    }
    std::string with_le = labels + ",";
    append_label(with_le, "le", le);
    sample(out, bucket, with_le, cumulative);
  }
  sample(out, std::string(name) + "_sum", labels, h.sum_seconds);
  sample(out, std::string(name) + "_count", labels, h.count);
}

}  // namespace

std::string prometheus_text(const FlowMetrics& m) {
  std::string out;
  const std::string flow = flow_labels(m);
  family(out, "jflow_requests_total", "counter",
         "Requests that ended, by type and status (every request, whether a reply came or not).");
  for (const RequestCount& count : m.requests)
    sample(out, "jflow_requests_total", count_labels(flow, count), count.count);
  // A family of one sample, the flow's.
  const auto flow_value = [&](const char* name, const char* type, const char* help,
                              std::uint64_t value) {
    family(out, name, type, help);
    sample(out, name, flow, value);
  };
  flow_value("jflow_requests_accepted_total", "counter", "Requests sent into the flow.",
             m.accepted);
  flow_value("jflow_requests_refused_total", "counter",
             "Requests ended at once because the flow could no longer serve them.", m.refused);
  flow_value("jflow_requests_expired_total", "counter",
             "Requests whose deadline passed before their reply came.", m.expired);
  flow_value("jflow_requests_in_flight", "gauge", "Requests accepted and not yet ended.",
             m.in_flight);
  flow_value("jflow_gateway_queued_requests", "gauge",
             "Requests accepted and waiting in the gateway until a socket can take them.",
             m.gateway_queue);
  flow_value("jflow_gateway_sent_bytes_total", "counter",
             "Bytes of request frames the gateway sent into the flow.", m.sent_bytes);
  flow_value("jflow_gateway_received_bytes_total", "counter",
             "Bytes of reply frames the gateway read from the flow.", m.received_bytes);

  family(out, "jflow_pea_requests_total", "counter",
         "Replies whose route passed the pea, by type and the pea's status (skipped: it forwarded "
         "a request that had already failed).");
  for (const PeaMetrics& pea : m.peas) {
    const std::string labels = pea_labels(m, pea);
    for (const RequestCount& count : pea.requests)
      sample(out, "jflow_pea_requests_total", count_labels(labels, count), count.count);
  }
  family(out, "jflow_pea_processing_seconds", "histogram",
         "Time the pea held a request, from its route entry.");
  for (const PeaMetrics& pea : m.peas)
    histogram(out, "jflow_pea_processing_seconds", pea_labels(m, pea), pea.processing);
  family(out, "jflow_pea_queued_seconds", "histogram",
         "Time a request waited between the hop before (or the gateway) and the pea.");
  for (const PeaMetrics& pea : m.peas)
    histogram(out, "jflow_pea_queued_seconds", pea_labels(m, pea), pea.queued);
  family(out, "jflow_pea_restarts_total", "counter",
         "Times the flow started the pea again after it died (the pod's restart: key).");
  for (const PeaMetrics& pea : m.peas)
    sample(out, "jflow_pea_restarts_total", pea_labels(m, pea), pea.restarts);
  // From the peas' heartbeats: as of each pea's last one.
  family(out, "jflow_pea_received_bytes_total", "counter",
         "Bytes of request frames the pea read from its input, as of its last heartbeat.");
  for (const PeaMetrics& pea : m.peas)
    sample(out, "jflow_pea_received_bytes_total", pea_labels(m, pea), pea.received_bytes);
  family(out, "jflow_pea_sent_bytes_total", "counter",
         "Bytes of request frames the pea sent on (a head: to its replicas), as of its last "
         "heartbeat.");
  for (const PeaMetrics& pea : m.peas)
    sample(out, "jflow_pea_sent_bytes_total", pea_labels(m, pea), pea.sent_bytes);
  family(out, "jflow_pea_in_flight_requests", "gauge",
         "Requests the pea holds (deferred, joining, in its outbox; a head: waiting for or held by "
         "its replicas), as of its last heartbeat.");
  for (const PeaMetrics& pea : m.peas)
    sample(out, "jflow_pea_in_flight_requests", pea_labels(m, pea), pea.in_flight);
  family(out, "jflow_replica_credits", "gauge",
         "Requests the head may still hand the replica (its credit), as of the head's last "
         "heartbeat.");
  for (const PeaMetrics& pea : m.peas) {
    if (pea.credit) sample(out, "jflow_replica_credits", pea_labels(m, pea), *pea.credit);
  }
  return out;
}

}  // namespace jflow
