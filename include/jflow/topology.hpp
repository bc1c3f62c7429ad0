// The words of a pod's shape: how requests spread over its replicas (polling, scheduling) and the
// role each pea plays in it (a lone pea, or head / replica / tail).
#pragma once

#include <optional>
#include <string_view>

namespace jflow {

// The Flow itself as a node of the graph: `needs: gateway` means "starts from the request the
// caller sent", and the sink pod's output goes back to it. No pod may take this name.
inline constexpr const char* kGateway = "gateway";

// any: each request goes to one replica; all: to every replica (shards), and the tail reduces.
enum class Polling { any, all };
// How a head picks among replicas that have credit: the one with most free credit, or in turn.
enum class Scheduling { load_balance, round_robin };
enum class PeaRole { single, head, replica, tail };

std::string_view polling_name(Polling polling);
std::string_view scheduling_name(Scheduling scheduling);
std::string_view pea_role_name(PeaRole role);
std::optional<Polling> parse_polling(std::string_view name);
std::optional<Scheduling> parse_scheduling(std::string_view name);
std::optional<PeaRole> parse_pea_role(std::string_view name);

}  // namespace jflow
