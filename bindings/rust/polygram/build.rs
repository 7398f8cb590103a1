//! Gives this crate's tests and examples an rpath to the libpolygram that
//! polygram-sys found (DEP_POLYGRAM_LIB_DIR), so they run without
//! LD_LIBRARY_PATH. Programs depending on this crate set their own rpath (or
//! install the library where the loader finds it).

fn main() {
    if let Ok(dir) = std::env::var("DEP_POLYGRAM_LIB_DIR") {
        if !cfg!(target_os = "windows") {
            // Applies to this package's tests, examples and benches (not to dependents).
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        }
    }
}
