//! Which dark pixels are the signature: connected pieces of the thresholded image, judged by
//! their size relative to the pen's stroke width and by their shape.
//!
//! The thresholded image is kept as runs (a row's stretches of dark pixels), labelled with a
//! union-find over runs that touch (8-connected). A signature has a few thousand runs where its
//! working copy has millions of pixels, so everything here is cheap enough for a live slider.
//!
//! Rules, in the pen's own stroke width `w` (estimated from the large pieces, see
//! [`stroke_width`]), so that they mean the same for a fine pen on a big photo and a marker on
//! a small scan:
//! - a piece of at least `4w²` pixels (a stroke about four widths long) is signature, unless it
//!   is a printed line: long, straight and clearly thinner than the pen;
//! - a smaller piece is kept only if it is at least dot-sized (`0.3w²`) and lies within `8w` of
//!   a signature piece: the dot of an i, a full stop after initials; dust and paper grain
//!   elsewhere, and crumbs smaller than a dot anywhere, are dropped;
//! - when no kept piece spans 2 % of the photo, nothing is kept: dust is not a signature.
//!
//! A printed line that the signature crosses joins it into one piece and stays; telling them
//! apart would need line detection inside a piece, which the slider's budget does not cover.

/// A row's stretch of pixels darker than the threshold: `x0..x1` on row `y`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Run {
    pub y: u32,
    pub x0: u32,
    pub x1: u32,
}

impl Run {
    fn len(self) -> u32 {
        self.x1 - self.x0
    }
}

/// The runs of pixels with `level < threshold`, row by row.
pub(super) fn runs(level: &[u8], width: u32, threshold: u8) -> Vec<Run> {
    let mut runs = Vec::new();
    for (y, row) in level.chunks_exact(width as usize).enumerate() {
        let mut x = 0;
        while let Some(start) = row[x..].iter().position(|&l| l < threshold) {
            let x0 = x + start;
            let len = row[x0..].iter().position(|&l| l >= threshold).unwrap_or(row.len() - x0);
            runs.push(Run { y: y as u32, x0: x0 as u32, x1: (x0 + len) as u32 });
            x = x0 + len;
        }
    }
    runs
}

/// A connected piece of dark pixels, with the sums its shape is judged by.
#[derive(Debug, Clone, Default)]
pub(super) struct Piece {
    pub area: u64,
    /// Bounding box `x0..x1`, `y0..y1`.
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    /// Boundary length, in a measure that makes `area / edges` the stroke width for a long
    /// stroke: the number of runs (one horizontal crossing per row) plus the number of pixels
    /// with no dark pixel right above them (one vertical crossing per column).
    edges: u64,
    /// First and second moments, for the principal axes.
    sx: f64,
    sy: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
}

impl Piece {
    fn add(&mut self, run: Run, uncovered: u32) {
        let (a, b, y, n) =
            (f64::from(run.x0), f64::from(run.x1), f64::from(run.y), f64::from(run.len()));
        if self.area == 0 {
            (self.x0, self.y0, self.x1, self.y1) = (run.x0, run.y, run.x1, run.y + 1);
        } else {
            self.x0 = self.x0.min(run.x0);
            self.x1 = self.x1.max(run.x1);
            self.y0 = self.y0.min(run.y);
            self.y1 = self.y1.max(run.y + 1);
        }
        self.area += u64::from(run.len());
        self.edges += 1 + u64::from(uncovered);
        // Sums of x and x² over a..b-1.
        let sum_x = (a + b - 1.0) * n / 2.0;
        let squares = |m: f64| m * (m + 1.0) * (2.0 * m + 1.0) / 6.0;
        let sum_xx = squares(b - 1.0) - squares(a - 1.0);
        self.sx += sum_x;
        self.sy += y * n;
        self.sxx += sum_xx;
        self.syy += y * y * n;
        self.sxy += y * sum_x;
    }

    /// Length along the main axis and the spread across it (standard deviation), from the
    /// second moments: a straight bar of length L has variance L²/12 along its axis.
    fn axes(&self) -> (f64, f64) {
        let n = self.area as f64;
        let (mx, my) = (self.sx / n, self.sy / n);
        let vxx = self.sxx / n - mx * mx;
        let vyy = self.syy / n - my * my;
        let vxy = self.sxy / n - mx * my;
        let mid = (vxx + vyy) / 2.0;
        let d = (((vxx - vyy) / 2.0).powi(2) + vxy * vxy).sqrt();
        ((12.0 * (mid + d).max(0.0)).sqrt(), (mid - d).max(0.0).sqrt())
    }

    /// Gap between two bounding boxes (0 when they overlap), the larger of the two axes.
    fn gap(&self, other: &Piece) -> u32 {
        let gx = self.x0.saturating_sub(other.x1).max(other.x0.saturating_sub(self.x1));
        let gy = self.y0.saturating_sub(other.y1).max(other.y0.saturating_sub(self.y1));
        gx.max(gy)
    }
}

/// The runs grouped into pieces: `piece_of[i]` is the piece of `runs[i]`.
pub(super) struct Pieces {
    pub pieces: Vec<Piece>,
    pub piece_of: Vec<u32>,
}

pub(super) fn label(runs: &[Run]) -> Pieces {
    let mut parent: Vec<u32> = (0..runs.len() as u32).collect();
    // Pixels of each run with no dark pixel right above them.
    let mut uncovered: Vec<u32> = runs.iter().map(|r| r.len()).collect();
    let mut previous = 0..0;
    let mut start = 0;
    while start < runs.len() {
        let y = runs[start].y;
        let end = start + runs[start..].iter().take_while(|r| r.y == y).count();
        if previous.end > previous.start && runs[previous.start].y + 1 == y {
            let mut first = previous.start;
            for i in start..end {
                let run = runs[i];
                // Runs above that end left of this one cannot touch this or any later one.
                while first < previous.end && runs[first].x1 < run.x0 {
                    first += 1;
                }
                let mut j = first;
                while j < previous.end && runs[j].x0 <= run.x1 {
                    union(&mut parent, i as u32, j as u32);
                    let overlap = run.x1.min(runs[j].x1).saturating_sub(run.x0.max(runs[j].x0));
                    uncovered[i] -= overlap;
                    j += 1;
                }
            }
        }
        previous = start..end;
        start = end;
    }

    let mut index_of_root = vec![u32::MAX; runs.len()];
    let mut pieces: Vec<Piece> = Vec::new();
    let mut piece_of = vec![0u32; runs.len()];
    for (i, run) in runs.iter().enumerate() {
        let root = find(&mut parent, i as u32) as usize;
        if index_of_root[root] == u32::MAX {
            index_of_root[root] = pieces.len() as u32;
            pieces.push(Piece::default());
        }
        let index = index_of_root[root];
        piece_of[i] = index;
        pieces[index as usize].add(*run, uncovered[i]);
    }
    Pieces { pieces, piece_of }
}

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        let grandparent = parent[parent[i as usize] as usize];
        parent[i as usize] = grandparent;
        i = grandparent;
    }
    i
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        // The smaller index wins, so roots stay in reading order.
        let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[high as usize] = low;
    }
}

/// The pen's stroke width in pixels: area over boundary crossings of the pieces that are not
/// crumbs (at least 2 % of the largest and 16 pixels). Exact for long straight strokes along
/// an axis, about 0.7 of it for diagonal ones; the rules below allow for that.
pub(super) fn stroke_width<'a>(pieces: impl IntoIterator<Item = &'a Piece> + Clone) -> Option<f64> {
    let largest = pieces.clone().into_iter().map(|p| p.area).max()?;
    let floor = (largest / 50).max(16);
    let (area, edges) = pieces
        .into_iter()
        .filter(|p| p.area >= floor)
        .fold((0u64, 0u64), |(a, e), p| (a + p.area, e + p.edges));
    (edges > 0).then(|| (area as f64 / edges as f64).max(1.0))
}

/// Which pieces are the signature (see the module's overview). `long_side` is the working
/// copy's long side. Returns one flag per piece.
pub(super) fn keep(pieces: &[Piece], long_side: u32) -> Vec<bool> {
    let Some(w) = stroke_width(pieces) else {
        return vec![false; pieces.len()];
    };
    let big_area = (4.0 * w * w).max(24.0);
    let big: Vec<usize> =
        (0..pieces.len()).filter(|&i| pieces[i].area as f64 >= big_area).collect();

    // Printed lines: compared with the pen's width measured without them.
    let lines: Vec<usize> =
        big.iter().copied().filter(|&i| looks_like_a_rule(&pieces[i], long_side)).collect();
    let others = big.iter().filter(|i| !lines.contains(i)).map(|&i| &pieces[i]);
    let pen = stroke_width(others);
    let mut kept = vec![false; pieces.len()];
    for &i in &big {
        let is_thin_rule =
            lines.contains(&i) && pen.is_some_and(|pen| thickness(&pieces[i]) <= 0.75 * pen);
        kept[i] = !is_thin_rule;
    }

    let dot_area = (0.3 * w * w).max(4.0);
    let near = (8.0 * w).ceil() as u32 + 4;
    let signature: Vec<&Piece> = big.iter().filter(|&&i| kept[i]).map(|&i| &pieces[i]).collect();
    for (piece, kept) in pieces.iter().zip(kept.iter_mut()) {
        let area = piece.area as f64;
        if (dot_area..big_area).contains(&area) {
            *kept = signature.iter().any(|s| piece.gap(s) <= near);
        }
    }
    // Something must look like writing: a kept piece that spans at least 2 % of the photo
    // (dust and paper grain, however dark, do not).
    let span = (long_side / 50).max(16);
    let writing =
        pieces.iter().zip(&kept).any(|(p, &k)| k && (p.x1 - p.x0).max(p.y1 - p.y0) >= span);
    if !writing {
        kept.fill(false);
    }
    kept
}

/// Mean thickness across the main axis: area over length.
fn thickness(piece: &Piece) -> f64 {
    let (length, _) = piece.axes();
    piece.area as f64 / length.max(1.0)
}

/// Long (a quarter of the photo and 30 thicknesses), and straight: the spread across its axis
/// is no more than a straight bar of its thickness would have (0.29 of it) plus a pixel or two
/// of slant, blur and lens bow. A hand-drawn underline wobbles far more over that length.
fn looks_like_a_rule(piece: &Piece, long_side: u32) -> bool {
    let (length, across) = piece.axes();
    let t = piece.area as f64 / length.max(1.0);
    length >= (0.25 * f64::from(long_side)).max(30.0 * t)
        && across <= 0.3 * t + 1.0 + 0.002 * length
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image_runs(rows: &[&str]) -> Vec<Run> {
        let w = rows[0].len() as u32;
        let level: Vec<u8> =
            rows.iter().flat_map(|r| r.bytes().map(|b| if b == b'#' { 0 } else { 255 })).collect();
        runs(&level, w, 128)
    }

    #[test]
    fn diagonal_neighbours_are_one_piece_and_gaps_are_two() {
        let runs = image_runs(&["#...#", ".#..#", "..#..", "....."]);
        let pieces = label(&runs);
        assert_eq!(pieces.pieces.len(), 2);
        assert_eq!(pieces.pieces[0].area, 3);
        assert_eq!(pieces.pieces[1].area, 2);
    }

    #[test]
    fn a_u_shape_joins_its_arms() {
        let runs = image_runs(&["#..#", "#..#", "####"]);
        let pieces = label(&runs);
        assert_eq!(pieces.pieces.len(), 1);
        assert_eq!(pieces.pieces[0].area, 8);
    }

    #[test]
    fn a_bar_measures_its_own_width() {
        let mut rows = Vec::new();
        for _ in 0..6 {
            rows.push(format!("..{}..", "#".repeat(200)));
        }
        let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
        let pieces = label(&image_runs(&refs));
        let w = stroke_width(&pieces.pieces).unwrap_or_default();
        assert!((5.5..=6.0).contains(&w), "{w}");
        let (length, across) = pieces.pieces[0].axes();
        assert!((length - 200.0).abs() < 1.0 && (across - 1.7).abs() < 0.1, "{length} {across}");
    }
}
