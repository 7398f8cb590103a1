//! Finds libpolygram and links it, with an rpath so that tests and examples
//! run without LD_LIBRARY_PATH.
//!
//! Search order: `POLYGRAM_LIB_DIR`, the directory of `POLYGRAM_LIBRARY`, then
//! the repository's `build/` folder (`../../build` from the workspace).

use std::env;
use std::path::{Path, PathBuf};

fn lib_file() -> &'static str {
    if cfg!(target_os = "macos") {
        "libpolygram.dylib"
    } else if cfg!(target_os = "windows") {
        "polygram.dll"
    } else {
        "libpolygram.so"
    }
}

fn main() {
    println!("cargo:rerun-if-env-changed=POLYGRAM_LIB_DIR");
    println!("cargo:rerun-if-env-changed=POLYGRAM_LIBRARY");
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));

    let mut tried: Vec<(String, PathBuf)> = Vec::new();
    if let Some(d) = env::var_os("POLYGRAM_LIB_DIR").filter(|d| !d.is_empty()) {
        tried.push(("POLYGRAM_LIB_DIR".into(), PathBuf::from(d)));
    }
    if let Some(f) = env::var_os("POLYGRAM_LIBRARY").filter(|f| !f.is_empty()) {
        let f = PathBuf::from(f);
        let dir = f.parent().map(Path::to_path_buf).unwrap_or_default();
        tried.push(("POLYGRAM_LIBRARY's directory".into(), dir));
    }
    // polygram-sys lives in bindings/rust/polygram-sys: the repository root is three levels up.
    tried.push(("the repository's build folder".into(), manifest.join("../../../build")));

    for (_, dir) in &tried {
        let lib = dir.join(lib_file());
        if lib.is_file() {
            println!("cargo:rerun-if-changed={}", lib.display());
            let dir = dir.canonicalize().unwrap_or_else(|_| dir.clone());
            println!("cargo:rustc-link-search=native={}", dir.display());
            println!("cargo:rustc-link-lib=dylib=polygram");
            // Dependents read this as DEP_POLYGRAM_LIB_DIR to set their own rpath.
            println!("cargo:lib_dir={}", dir.display());
            if !cfg!(target_os = "windows") {
                println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
            }
            return;
        }
    }

    let mut msg = format!(
        "polygram-sys: {} not found. Build it with `make lib` at the repository root, or point \
         POLYGRAM_LIB_DIR at its directory (or POLYGRAM_LIBRARY at the file). Tried:\n",
        lib_file()
    );
    for (how, dir) in &tried {
        msg.push_str(&format!("  {} ({})\n", dir.join(lib_file()).display(), how));
    }
    panic!("{msg}");
}
