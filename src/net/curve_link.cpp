#include "net/curve_link.hpp"

#include <cstdlib>
#include <stdexcept>

namespace jflow {

void make_curve_server(zmq::socket_t& socket, const CurveKeyPair& own) {
  socket.set(zmq::sockopt::curve_server, true);
  socket.set(zmq::sockopt::curve_secretkey, own.secret_key);
}

void make_curve_client(zmq::socket_t& socket, const CurveKeyPair& own,
                       const std::string& server_public) {
  socket.set(zmq::sockopt::curve_serverkey, server_public);
  socket.set(zmq::sockopt::curve_publickey, own.public_key);
  socket.set(zmq::sockopt::curve_secretkey, own.secret_key);
}

void secure_binding_side(zmq::socket_t& socket, const std::optional<CurveKeyPair>& session) {
  if (session) make_curve_server(socket, *session);
}

void secure_connecting_side(zmq::socket_t& socket, const std::optional<CurveKeyPair>& session) {
  if (session) make_curve_client(socket, *session, session->public_key);
}

std::string curve_session_env_value(const CurveKeyPair& session) {
  return session.public_key + " " + session.secret_key;
}

std::optional<CurveKeyPair> take_curve_session_from_env() {
  const char* value = std::getenv(kCurveSessionEnv);
  if (value == nullptr) return std::nullopt;
  std::string text(value);
  ::unsetenv(kCurveSessionEnv);
  const auto space = text.find(' ');
  if (space == std::string::npos) {
    throw std::runtime_error(std::string(kCurveSessionEnv) +
                             " must hold 'PUBLIC SECRET' (two Z85 keys), got no space");
  }
  CurveKeyPair session{text.substr(0, space), text.substr(space + 1)};
  // The public key must belong to the secret key: a mismatch would fail every handshake later,
  // far from its cause.
  if (curve_public_of(session.secret_key) != session.public_key) {
    throw std::runtime_error(std::string(kCurveSessionEnv) +
                             ": the public key does not belong to the secret key");
  }
  return session;
}

}  // namespace jflow
