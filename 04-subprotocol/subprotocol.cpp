/**
 * @file
 * @brief Choosing a subprotocol, and the `json` form of a message: the two lessons of subprotocol.hpp.
 *
 * The functions of subprotocol.hpp that hold this step's lab gaps (docs/lab.md) are
 * defined here rather than in the header that every file of the step includes, so that
 * an edit of them recompiles this one small file.
 */
#include "subprotocol.hpp"

#include <memory>
#include <string>
#include <vector>

subprotocol choose_subprotocol(std::vector<std::string> const& offers)
{
    // [lab:choose] Walk the offers in the client's order (it lists what it prefers first, so
    //   its order decides, not ours) and return the first one this server knows: "text" is
    //   subprotocol::text, "json" subprotocol::json, compared exactly.
    for(auto const& offer : offers)
    {
        if(offer == "text")
            return subprotocol::text;
        if(offer == "json")
            return subprotocol::json;
    }
    // [lab:choose]
    return subprotocol::none;
}

std::shared_ptr<std::string const> outgoing_text::for_receiver(subprotocol receiver)
{
    // `text` and plain clients read the text itself.
    if(receiver != subprotocol::json)
        return plain_;
    // [lab:json-form] The json form, made once and kept in json_: an object with a
    //   "timestamp" (when_ as iso8601_utc()) and the text as "data", serialized by to_wire().
    if(!json_)
        json_ = std::make_shared<std::string const>(to_wire(
            nlohmann::ordered_json{{"timestamp", iso8601_utc(when_)}, {"data", *plain_}}));
    // [lab:json-form]
    return json_;
}
