/**
 * @file
 * @brief A tiny Express-like application object on Beast's HTTP side.
 *
 * Express lets you write `app.use(fn)` and `app.get("/path", fn)` and answer
 * with `res.send({...})`. This class gives the same shape in C++: routes are
 * tried in the order they were added, and the first one that sends an answer wins.
 */
#pragma once

#include "handshake.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

/** The answer a route builds, like Express's `res`. */
class reply
{
public:
    /** Starts an answer to @p req (same HTTP version and keep-alive as the request). */
    explicit reply(request_type const& req) : res_{http::status::ok, req.version()}
    {
        res_.keep_alive(req.keep_alive());
    }

    /** Sets the status code, like `res.status(404)`. */
    reply& status(http::status code)
    {
        res_.result(code);
        return *this;
    }

    /** Sends a JSON document, like `res.send({ msg: "hello" })`. */
    void json(nlohmann::json const& body) { send(body.dump(), "application/json; charset=utf-8"); }

    /** Sends @p body with the given content type. */
    void send(std::string body, std::string const& content_type)
    {
        res_.set(http::field::content_type, content_type);
        res_.body() = std::move(body);
        res_.prepare_payload();
        sent_ = true;
    }

    /** True once a route has sent an answer. */
    bool sent() const { return sent_; }
    /** The finished response, for the HTTP session to write. */
    response_type take() { return std::move(res_); }

private:
    response_type res_;
    bool sent_ = false;
};

/** An Express-like app: an ordered list of routes. */
class app
{
public:
    /** A route's code: look at the request, and send on the reply if this route answers. */
    using handler = std::function<void(request_type const&, reply&)>;

    /** Adds a route for every request, like `app.use(fn)`. */
    app& use(handler fn)
    {
        routes_.push_back({std::nullopt, std::move(fn)});
        return *this;
    }

    /** Adds a route for `GET path` exactly, like `app.get(path, fn)`. */
    app& get(std::string path, handler fn)
    {
        routes_.push_back({std::move(path), std::move(fn)});
        return *this;
    }

    /** Runs the routes in order until one answers; nothing answered gives Express's 404. */
    response_type handle(request_type const& req) const
    {
        reply res(req);
        for(auto const& route : routes_)
        {
            bool const matches = !route.path ||
                (req.method() == http::verb::get && req.target() == *route.path);
            if(matches)
                route.fn(req, res);
            if(res.sent())
                return res.take();
        }
        res.status(http::status::not_found)
            .send("Cannot " + std::string(req.method_string()) + " " + std::string(req.target()) + "\n",
                  "text/plain; charset=utf-8");
        return res.take();
    }

private:
    struct route
    {
        std::optional<std::string> path;  // empty: every request
        handler fn;
    };
    std::vector<route> routes_;
};
