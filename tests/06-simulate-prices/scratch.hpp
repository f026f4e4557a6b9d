/**
 * @file
 * @brief A scratch folder for the configuration files that 06-simulate-prices'
 *        tests write, removed when the test ends.
 */
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include <unistd.h>

/** A fresh folder under the system's temporary folder; removed with everything in it. */
class scratch_dir
{
public:
    scratch_dir()
    {
        // The process id and a counter keep parallel test programs and tests apart.
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("kit-prices-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }

    ~scratch_dir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }

    scratch_dir(scratch_dir const&) = delete;
    scratch_dir& operator=(scratch_dir const&) = delete;

    /** The folder itself. */
    std::filesystem::path const& path() const { return path_; }

    /** Writes @p text to the file @p name in the folder and returns the file's path. */
    std::string write(std::string const& name, std::string const& text) const
    {
        auto const file = path_ / name;
        std::ofstream(file, std::ios::binary) << text;
        return file.string();
    }

private:
    std::filesystem::path path_;
};
