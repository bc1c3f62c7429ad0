#include "net/zap_authenticator.hpp"

#include <zmq_addon.hpp>

namespace jflow {

ZapAuthenticator::ZapAuthenticator(zmq::context_t& context, std::set<std::string> allowed, Log log)
    : socket_(context, zmq::socket_type::rep), allowed_(std::move(allowed)), log_(std::move(log)) {
  socket_.set(zmq::sockopt::linger, 0);
  // Bound before any CURVE socket of the context accepts a connection: without a handler,
  // libzmq would let every client in.
  socket_.bind("inproc://zeromq.zap.01");
}

void ZapAuthenticator::handle() {
  while (true) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(socket_, std::back_inserter(frames), zmq::recv_flags::dontwait))
      return;
    // version, request id, domain, address, identity, mechanism, credentials…
    std::string request_id = frames.size() > 1 ? frames[1].to_string() : "";
    std::string status = "400";
    std::string text = "malformed ZAP request";
    std::string user;
    if (frames.size() >= 7 && frames[0].to_string() == "1.0") {
      const std::string address = frames[3].to_string();
      const std::string mechanism = frames[5].to_string();
      if (mechanism == "CURVE" && frames[6].size() == 32) {
        char key[41] = {};
        zmq_z85_encode(key, static_cast<const std::uint8_t*>(frames[6].data()), 32);
        if (allowed_.count(key) != 0) {
          status = "200";
          text = "OK";
          user = key;
        } else {
          text = "key not allowed";
          log_("refused a connection from " + address + ": its key " + key +
               " is not in the --allow list");
        }
      } else {
        text = "CURVE required";
        log_("refused a connection from " + address + ": it uses " + mechanism + ", not CURVE");
      }
    }
    std::array<zmq::message_t, 6> reply{zmq::message_t(std::string_view("1.0")),
                                        zmq::message_t(request_id),
                                        zmq::message_t(status),
                                        zmq::message_t(text),
                                        zmq::message_t(user),
                                        zmq::message_t()};
    zmq::send_multipart(socket_, reply);
  }
}

}  // namespace jflow
