//! The numbers behind `MIN_SHARPNESS` and `MIN_MEAN_LUMINANCE`. Run with
//! `cargo test -p signet-imaging --test calibration -- --ignored --nocapture`.
#![allow(clippy::unwrap_used)]

mod support;

use signet_imaging::{prepare_id_photo, PhotoLimits};
use support::*;

#[test]
#[ignore = "prints the calibration table; slow in debug builds"]
fn prints_sharpness_and_brightness_of_generated_photos() {
    let measuring =
        PhotoLimits { min_sharpness: 0.0, min_mean_luminance: 0.0, ..PhotoLimits::default() };
    for (w, h) in [(1200, 800), (2400, 1600), (1000, 1000)] {
        let card = id_card_photo(w, h);
        for (radius, passes) in [(0, 0), (1, 1), (2, 1), (2, 2), (2, 3), (2, 5), (3, 3), (4, 4)] {
            let img = if passes == 0 { card.clone() } else { box_blur(&card, radius, passes) };
            let p = prepare_id_photo(&encode_jpeg(&img), &measuring).unwrap();
            println!(
                "{w}x{h} blur r{radius} x{passes}: sharpness {:8.1} mean {:5.1}",
                p.sharpness, p.mean_luminance
            );
        }
        for factor in [0.5, 0.25, 0.1] {
            let p = prepare_id_photo(&encode_jpeg(&darken(&card, factor)), &measuring).unwrap();
            println!(
                "{w}x{h} darkened x{factor}: sharpness {:8.1} mean {:5.1}",
                p.sharpness, p.mean_luminance
            );
        }
    }
}
