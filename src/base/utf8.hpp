// Making text that quotes outside input valid UTF-8. Error messages echo what a client sent (an
// unknown key, a dtype name); a client that decodes msgpack str as UTF-8 (Python's msgpack by
// default) fails on the reply itself when those bytes are not UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace jflow {

// `text` with every byte that is not part of a well-formed UTF-8 sequence (RFC 3629: no
// overlongs, no surrogates, nothing past U+10FFFF) written as the four characters \xNN.
std::string escape_invalid_utf8(std::string_view text);

}  // namespace jflow
