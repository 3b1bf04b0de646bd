// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // `signet --hash-kiosk-pin` prints a configuration line and exits; it never starts the app.
    if let Some(code) = signet_app::kiosk::command_line(std::env::args().skip(1)) {
        std::process::exit(code);
    }
    signet_app::run();
}
