/**
 * @file
 * @brief Serves the browser clients under `/clients/`, like Express's
 *        `app.use("/clients", express.static(dir))`, with no way out of that folder.
 *
 * A URL is text from a stranger. Before it names a file, this code decodes it
 * one path segment at a time and refuses anything that could climb out of the
 * folder: `..` (also written `%2e%2e`), a `/` or `\` hidden in a segment
 * (`%2f`, `%5c`), a NUL byte, an empty segment, a name starting with a dot.
 * Then it asks the file system where the path really leads (symlinks resolved)
 * and serves the file only if that canonical path still lies inside the folder.
 * Every refusal is a plain 404: the answer never tells what exists outside.
 */
#pragma once

#include "handshake.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

/** The content type of a file, from its extension (as `express.static` does with its `mime` table). */
inline std::string content_type_for(std::filesystem::path const& file)
{
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    static std::pair<char const*, char const*> const types[] = {
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".map", "application/json; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"},
        {".md", "text/markdown; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff", "font/woff"},
        {".woff2", "font/woff2"},
        {".wasm", "application/wasm"},
    };
    for(auto const& [known, type] : types)
        if(ext == known)
            return type;
    // Unknown bytes: the browser must not guess (nosniff below) and will offer a download.
    return "application/octet-stream";
}

/**
 * Decodes one path segment's `%XX` escapes.
 * @return nothing when an escape is broken (`%`, `%4`, `%zz`): such a URL names no file.
 */
inline std::optional<std::string> percent_decode(std::string_view text)
{
    auto hex = [](char c) -> int {
        if(c >= '0' && c <= '9')
            return c - '0';
        if(c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if(c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for(std::size_t i = 0; i < text.size(); ++i)
    {
        if(text[i] != '%')
        {
            out += text[i];
            continue;
        }
        if(i + 2 >= text.size())
            return std::nullopt;
        int const high = hex(text[i + 1]);
        int const low = hex(text[i + 2]);
        if(high < 0 || low < 0)
            return std::nullopt;
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

/** True when @p inner is @p root itself or lies below it, comparing whole path components. */
inline bool is_inside(std::filesystem::path const& root, std::filesystem::path const& inner)
{
    // Component by component, so that /kit/clients-secret is not "inside" /kit/clients.
    return std::mismatch(root.begin(), root.end(), inner.begin(), inner.end()).first == root.end();
}

/** Serves the files of one folder under one URL prefix; everything else passes by. */
class static_files
{
public:
    /**
     * @param prefix the URL prefix without a trailing slash, e.g. `/clients`
     * @param root   the folder, already canonical (read_config() resolves it)
     */
    static_files(std::string prefix, std::filesystem::path root)
        : prefix_(std::move(prefix)), root_(std::move(root))
    {
    }

    /**
     * Answers @p req if it asks for something under the prefix.
     * @return nothing when the request is not for this folder (another path, or
     *         a method other than GET and HEAD), so the app's own routes answer it.
     */
    std::optional<response_type> answer(request_type const& req) const
    {
        // Like express.static, only GET and HEAD read files; other methods go on to the app.
        if(req.method() != http::verb::get && req.method() != http::verb::head)
            return std::nullopt;
        std::string_view const target(req.target().data(), req.target().size());
        auto const query_at = target.find('?');
        std::string_view const path = target.substr(0, query_at);
        std::string_view const query = query_at == std::string_view::npos ? "" : target.substr(query_at);
        // `/clients` is the folder itself: send the browser to `/clients/`, so relative links work.
        if(path == prefix_)
            return redirect(req, prefix_ + "/" + std::string(query));
        if(path.size() <= prefix_.size() || path.compare(0, prefix_.size(), prefix_) != 0 ||
           path[prefix_.size()] != '/')
            return std::nullopt;

        std::string_view const relative = path.substr(prefix_.size() + 1);
        auto const file = locate(relative);
        if(!file)
            return not_found(req);
        std::error_code ec;
        if(std::filesystem::is_directory(*file, ec))
        {
            // A folder is served by its index.html, but only as `folder/`, as Express does.
            if(!relative.empty() && relative.back() != '/')
                return redirect(req, std::string(path) + "/" + std::string(query));
            auto const index = checked(*file / "index.html");
            if(!index)
                return not_found(req);
            return serve_file(req, *index);
        }
        if(!relative.empty() && relative.back() == '/')
            return not_found(req);  // `file.html/` names no folder
        return serve_file(req, *file);
    }

private:
    /** Turns the part of the URL after the prefix into a canonical path inside root_, or nothing. */
    std::optional<std::filesystem::path> locate(std::string_view relative) const
    {
        std::filesystem::path candidate = root_;
        std::size_t start = 0;
        while(start < relative.size())
        {
            std::size_t const slash = relative.find('/', start);
            std::string_view const raw = relative.substr(start, slash == std::string_view::npos
                                                                    ? std::string_view::npos
                                                                    : slash - start);
            start = slash == std::string_view::npos ? relative.size() : slash + 1;
            auto const name = percent_decode(raw);
            // An empty segment (`//`) would turn the rest into an absolute path; a leading dot
            // covers `.`, `..` and hidden files such as `.git`; a decoded `/`, `\` or NUL would
            // smuggle a separator (or end the string early) inside one segment.
            if(!name || name->empty() || name->front() == '.' ||
               name->find_first_of(std::string("/\\\0", 3)) != std::string::npos)
                return std::nullopt;
            candidate /= *name;  // safe: name is one plain component, never absolute
        }
        return checked(candidate);
    }

    /** Resolves symlinks in @p candidate and keeps it only if it still lies inside root_. */
    std::optional<std::filesystem::path> checked(std::filesystem::path const& candidate) const
    {
        std::error_code ec;
        auto const real = std::filesystem::canonical(candidate, ec);
        if(ec || !is_inside(root_, real))
            return std::nullopt;
        return real;
    }

    /** Reads @p file (a canonical path inside root_) into a 200 answer. */
    std::optional<response_type> serve_file(request_type const& req, std::filesystem::path const& file) const
    {
        std::error_code ec;
        // Only regular files (no devices, no sockets), and small enough to hold in memory.
        if(!std::filesystem::is_regular_file(file, ec) ||
           std::filesystem::file_size(file, ec) > max_file_size || ec)
            return not_found(req);
        std::ifstream in(file, std::ios::binary);
        if(!in)
            return not_found(req);
        std::ostringstream content;
        content << in.rdbuf();

        response_type res{http::status::ok, req.version()};
        res.set(http::field::content_type, content_type_for(file));
        // Students edit these files while the server runs: let the browser ask again each time.
        res.set(http::field::cache_control, "no-cache");
        res.set("X-Content-Type-Options", "nosniff");
        res.keep_alive(req.keep_alive());
        res.body() = content.str();
        res.prepare_payload();
        // HEAD: the same headers (Content-Length too), no body.
        if(req.method() == http::verb::head)
            res.body().clear();
        return res;
    }

    static response_type redirect(request_type const& req, std::string const& location)
    {
        response_type res{http::status::moved_permanently, req.version()};
        res.set(http::field::location, location);
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.keep_alive(req.keep_alive());
        res.body() = "Moved to " + location + "\n";
        res.prepare_payload();
        return res;
    }

    static response_type not_found(request_type const& req)
    {
        auto res = error_response(req, http::status::not_found, "Not Found");
        res.keep_alive(req.keep_alive());
        return res;
    }

    static constexpr std::uintmax_t max_file_size = 16 * 1024 * 1024;
    std::string const prefix_;
    std::filesystem::path const root_;
};
