//! The numbers behind `MIN_SHARPNESS` and `MIN_MEAN_LUMINANCE` (the table in `src/quality.rs`),
//! measured on the generated card photos at three sizes, and checked to still bracket the
//! thresholds: a change to the measures that moved them would fail here. To see the table:
//! `cargo test -p signet-imaging --test calibration -- --nocapture`.
#![allow(clippy::unwrap_used)]

mod support;

use signet_imaging::{prepare_id_photo, PhotoLimits, MIN_MEAN_LUMINANCE, MIN_SHARPNESS};
use support::*;

/// Box blurs (radius, passes), from none to the heaviest.
const BLURS: [(u32, u32); 8] = [(0, 0), (1, 1), (2, 1), (2, 2), (2, 3), (2, 5), (3, 3), (4, 4)];

#[test]
fn the_quality_thresholds_still_separate_sharp_from_smeared_and_dim_from_dark() {
    let measuring =
        PhotoLimits { min_sharpness: 0.0, min_mean_luminance: 0.0, ..PhotoLimits::default() };
    for (w, h) in [(1200, 800), (2400, 1600), (1000, 1000)] {
        let card = id_card_photo(w, h);
        let mut sharpness = Vec::new();
        for (radius, passes) in BLURS {
            let img = if passes == 0 { card.clone() } else { box_blur(&card, radius, passes) };
            let p = prepare_id_photo(&encode_jpeg(&img), &measuring).unwrap();
            println!(
                "{w}x{h} blur r{radius} x{passes}: sharpness {:8.1} mean {:5.1}",
                p.sharpness, p.mean_luminance
            );
            sharpness.push(p.sharpness);
        }
        // More blur, less sharpness; the sharp card passes, the heaviest blur is refused.
        assert!(sharpness.windows(2).all(|pair| pair[1] < pair[0]), "{w}x{h}: {sharpness:?}");
        assert!(sharpness[0] > 4.0 * MIN_SHARPNESS, "{w}x{h} sharp: {}", sharpness[0]);
        assert!(sharpness[BLURS.len() - 1] < MIN_SHARPNESS, "{w}x{h} smeared: {sharpness:?}");

        for (factor, passes) in [(0.5, true), (0.25, true), (0.1, false)] {
            let p = prepare_id_photo(&encode_jpeg(&darken(&card, factor)), &measuring).unwrap();
            println!(
                "{w}x{h} darkened x{factor}: sharpness {:8.1} mean {:5.1}",
                p.sharpness, p.mean_luminance
            );
            assert_eq!(
                p.mean_luminance >= MIN_MEAN_LUMINANCE,
                passes,
                "{w}x{h} darkened x{factor}: mean {}",
                p.mean_luminance
            );
            if passes {
                // Dim but sharp stays above the sharpness threshold (it grows with contrast²).
                assert!(p.sharpness > MIN_SHARPNESS, "{w}x{h} x{factor}: {}", p.sharpness);
            }
        }
    }
}
