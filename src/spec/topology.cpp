#include "jflow/topology.hpp"

namespace jflow {

std::string_view polling_name(Polling polling) {
  return polling == Polling::any ? "any" : "all";
}

std::string_view scheduling_name(Scheduling scheduling) {
  return scheduling == Scheduling::load_balance ? "load_balance" : "round_robin";
}

std::string_view pea_role_name(PeaRole role) {
  switch (role) {
    case PeaRole::single:
      return "single";
    case PeaRole::head:
      return "head";
    case PeaRole::replica:
      return "replica";
    case PeaRole::tail:
      return "tail";
  }
  return "?";
}

std::optional<Polling> parse_polling(std::string_view name) {
  if (name == "any") return Polling::any;
  if (name == "all") return Polling::all;
  return std::nullopt;
}

std::optional<Scheduling> parse_scheduling(std::string_view name) {
  if (name == "load_balance") return Scheduling::load_balance;
  if (name == "round_robin") return Scheduling::round_robin;
  return std::nullopt;
}

std::optional<PeaRole> parse_pea_role(std::string_view name) {
  for (PeaRole role : {PeaRole::single, PeaRole::head, PeaRole::replica, PeaRole::tail}) {
    if (pea_role_name(role) == name) return role;
  }
  return std::nullopt;
}

}  // namespace jflow
