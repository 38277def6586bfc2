//! The commune's logo as a PDF image: a JPEG goes in as it is (DCTDecode,
//! its size and colours read from the SOF marker); a PNG is decoded here
//! (inflate with `miniz_oxide`, the five row filters, 1 to 16 bits, palette
//! and transparency) and written back as Flate-compressed samples, its
//! alpha as a soft mask. No image crate: logos are small, and this is all
//! a PDF needs.

/// The largest logo accepted: 512 KB.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;
/// The largest logo side, in pixels.
pub const MAX_LOGO_SIDE: u32 = 2000;

/// What an uploaded file really is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
}

impl Format {
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&PNG_SIGNATURE) {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }
}

/// Why an image cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("not a PNG or JPEG image")]
    Format,
    #[error("image of {0}×{1} pixels")]
    TooBig(u32, u32),
    #[error("unreadable image: {0}")]
    Invalid(&'static str),
}

/// An image ready to be written in a PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfImage {
    pub width: u32,
    pub height: u32,
    pub data: ImageData,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageData {
    /// A JPEG file, for `DCTDecode`; `inverted` for Adobe's CMYK JPEGs.
    Jpeg {
        bytes: Vec<u8>,
        components: u8,
        inverted: bool,
    },
    /// 8-bit samples, zlib-compressed (`FlateDecode`): gray (1 component) or
    /// RGB (3); the alpha channel, when there is one, likewise.
    Flate {
        samples: Vec<u8>,
        components: u8,
        alpha: Option<Vec<u8>>,
    },
}

/// Reads a PNG or JPEG logo, checking its size in pixels.
pub fn decode(bytes: &[u8]) -> Result<PdfImage, ImageError> {
    match Format::sniff(bytes) {
        Some(Format::Png) => png(bytes),
        Some(Format::Jpeg) => jpeg(bytes),
        None => Err(ImageError::Format),
    }
}

fn check_side(width: u32, height: u32) -> Result<(), ImageError> {
    if width == 0 || height == 0 {
        return Err(ImageError::Invalid("empty image"));
    }
    if width > MAX_LOGO_SIDE || height > MAX_LOGO_SIDE {
        return Err(ImageError::TooBig(width, height));
    }
    Ok(())
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
        *b.get(at + 2)?,
        *b.get(at + 3)?,
    ]))
}

/// A JPEG's size and colours, from its frame header (SOF), walking the
/// marker segments up to the first scan.
fn jpeg(bytes: &[u8]) -> Result<PdfImage, ImageError> {
    let truncated = ImageError::Invalid("truncated JPEG");
    let mut at = 2;
    let mut adobe = false;
    loop {
        // Markers start with 0xFF, possibly repeated as fill.
        if *bytes.get(at).ok_or(truncated.clone())? != 0xFF {
            return Err(ImageError::Invalid("JPEG marker expected"));
        }
        while bytes.get(at) == Some(&0xFF) {
            at += 1;
        }
        let marker = *bytes.get(at).ok_or(truncated.clone())?;
        at += 1;
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            continue;
        }
        if marker == 0xD9 || marker == 0xDA {
            return Err(ImageError::Invalid("JPEG without a frame header"));
        }
        let len = usize::from(be16(bytes, at).ok_or(truncated.clone())?);
        if len < 2 || at + len > bytes.len() {
            return Err(truncated);
        }
        let segment = &bytes[at + 2..at + len];
        if marker == 0xEE && segment.starts_with(b"Adobe") {
            adobe = true;
        }
        let sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if sof {
            let height = u32::from(be16(segment, 1).ok_or(truncated.clone())?);
            let width = u32::from(be16(segment, 3).ok_or(truncated.clone())?);
            let components = *segment.get(5).ok_or(truncated.clone())?;
            if segment.first() != Some(&8) {
                return Err(ImageError::Invalid("JPEG of more than 8 bits"));
            }
            if !matches!(components, 1 | 3 | 4) {
                return Err(ImageError::Invalid("JPEG colour components"));
            }
            check_side(width, height)?;
            return Ok(PdfImage {
                width,
                height,
                data: ImageData::Jpeg {
                    bytes: bytes.to_vec(),
                    components,
                    inverted: components == 4 && adobe,
                },
            });
        }
        at += len;
    }
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

struct Header {
    width: u32,
    height: u32,
    depth: u8,
    color: u8,
}

impl Header {
    /// Samples per pixel.
    fn channels(&self) -> usize {
        match self.color {
            2 => 3,
            4 => 2,
            6 => 4,
            _ => 1,
        }
    }

    /// Bytes of one row of samples (without its filter byte).
    fn row_bytes(&self) -> usize {
        (self.width as usize * self.channels() * usize::from(self.depth)).div_ceil(8)
    }
}

fn png(bytes: &[u8]) -> Result<PdfImage, ImageError> {
    let truncated = ImageError::Invalid("truncated PNG");
    let mut at = PNG_SIGNATURE.len();
    let mut header: Option<Header> = None;
    let mut palette: &[u8] = &[];
    let mut trns: &[u8] = &[];
    let mut idat = Vec::new();
    loop {
        let len = be32(bytes, at).ok_or(truncated.clone())? as usize;
        let kind = bytes.get(at + 4..at + 8).ok_or(truncated.clone())?;
        let data = bytes
            .get(at + 8..(at + 8).saturating_add(len))
            .ok_or(truncated.clone())?;
        at = at + 12 + len;
        match kind {
            b"IHDR" => {
                if data.len() != 13 {
                    return Err(ImageError::Invalid("PNG header"));
                }
                let h = Header {
                    width: be32(data, 0).ok_or(truncated.clone())?,
                    height: be32(data, 4).ok_or(truncated.clone())?,
                    depth: data[8],
                    color: data[9],
                };
                let depth_ok = match h.color {
                    0 => matches!(h.depth, 1 | 2 | 4 | 8 | 16),
                    3 => matches!(h.depth, 1 | 2 | 4 | 8),
                    2 | 4 | 6 => matches!(h.depth, 8 | 16),
                    _ => false,
                };
                if !depth_ok || data[10] != 0 || data[11] != 0 {
                    return Err(ImageError::Invalid("PNG colour type or depth"));
                }
                check_side(h.width, h.height)?;
                if data[12] != 0 {
                    return Err(ImageError::Invalid("interlaced PNG"));
                }
                header = Some(h);
            }
            b"PLTE" => palette = data,
            b"tRNS" => trns = data,
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
    }
    let h = header.ok_or(ImageError::Invalid("PNG without a header"))?;
    let stride = h.row_bytes();
    let expected = (stride + 1) * h.height as usize;
    let raw = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&idat, expected)
        .map_err(|_| ImageError::Invalid("PNG data"))?;
    if raw.len() != expected {
        return Err(ImageError::Invalid("PNG data size"));
    }
    let rows = unfilter(&raw, &h, stride)?;
    to_samples(&h, &rows, stride, palette, trns)
}

/// Undoes the row filters; the rows come back one after the other.
fn unfilter(raw: &[u8], h: &Header, stride: usize) -> Result<Vec<u8>, ImageError> {
    let bpp = (h.channels() * usize::from(h.depth)).div_ceil(8).max(1);
    let mut out = vec![0u8; stride * h.height as usize];
    for y in 0..h.height as usize {
        let filter = raw[y * (stride + 1)];
        let src = &raw[y * (stride + 1) + 1..(y + 1) * (stride + 1)];
        let (done, rest) = out.split_at_mut(y * stride);
        let prev = if y == 0 {
            None
        } else {
            Some(&done[(y - 1) * stride..])
        };
        let row = &mut rest[..stride];
        for x in 0..stride {
            let a = if x >= bpp { row[x - bpp] } else { 0 };
            let b = prev.map_or(0, |p| p[x]);
            let c = if x >= bpp {
                prev.map_or(0, |p| p[x - bpp])
            } else {
                0
            };
            let predicted = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                4 => paeth(a, b, c),
                _ => return Err(ImageError::Invalid("PNG row filter")),
            };
            row[x] = src[x].wrapping_add(predicted);
        }
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// The `i`-th sample of a row of `depth`-bit samples.
fn sample(row: &[u8], i: usize, depth: u8) -> u16 {
    match depth {
        16 => u16::from_be_bytes([row[2 * i], row[2 * i + 1]]),
        8 => u16::from(row[i]),
        d => {
            let per_byte = 8 / usize::from(d);
            let byte = row[i / per_byte];
            let shift = 8 - usize::from(d) * (i % per_byte + 1);
            u16::from(byte >> shift) & ((1 << d) - 1)
        }
    }
}

/// A sample scaled to 8 bits.
fn to8(v: u16, depth: u8) -> u8 {
    match depth {
        16 => (v >> 8) as u8,
        8 => v as u8,
        d => (u32::from(v) * 255 / ((1 << d) - 1)) as u8,
    }
}

fn to_samples(
    h: &Header,
    rows: &[u8],
    stride: usize,
    palette: &[u8],
    trns: &[u8],
) -> Result<PdfImage, ImageError> {
    let (w, n) = (h.width as usize, h.width as usize * h.height as usize);
    let gray = matches!(h.color, 0 | 4);
    let components: u8 = if gray { 1 } else { 3 };
    let mut color = Vec::with_capacity(n * usize::from(components));
    let mut alpha = Vec::with_capacity(n);
    // The colour made transparent by a tRNS chunk (gray and RGB images).
    let key: Option<Vec<u16>> = match h.color {
        0 if trns.len() >= 2 => be16(trns, 0).map(|v| vec![v]),
        2 if trns.len() >= 6 => Some(vec![
            be16(trns, 0).unwrap_or(0),
            be16(trns, 2).unwrap_or(0),
            be16(trns, 4).unwrap_or(0),
        ]),
        _ => None,
    };
    if h.color == 3 && (palette.is_empty() || !palette.len().is_multiple_of(3)) {
        return Err(ImageError::Invalid("PNG palette"));
    }
    let channels = h.channels();
    for y in 0..h.height as usize {
        let row = &rows[y * stride..(y + 1) * stride];
        for x in 0..w {
            let s = |c: usize| sample(row, x * channels + c, h.depth);
            match h.color {
                3 => {
                    let i = usize::from(s(0));
                    let rgb = palette
                        .get(3 * i..3 * i + 3)
                        .ok_or(ImageError::Invalid("PNG palette index"))?;
                    color.extend_from_slice(rgb);
                    alpha.push(trns.get(i).copied().unwrap_or(255));
                }
                0 | 2 => {
                    let values: Vec<u16> = (0..channels).map(s).collect();
                    color.extend(values.iter().map(|&v| to8(v, h.depth)));
                    let clear = key.as_ref().is_some_and(|k| *k == values);
                    alpha.push(if clear { 0 } else { 255 });
                }
                _ => {
                    // Gray or RGB, then alpha.
                    for c in 0..channels - 1 {
                        color.push(to8(s(c), h.depth));
                    }
                    alpha.push(to8(s(channels - 1), h.depth));
                }
            }
        }
    }
    let opaque = alpha.iter().all(|&a| a == 255);
    Ok(PdfImage {
        width: h.width,
        height: h.height,
        data: ImageData::Flate {
            samples: miniz_oxide::deflate::compress_to_vec_zlib(&color, 6),
            components,
            alpha: (!opaque).then(|| miniz_oxide::deflate::compress_to_vec_zlib(&alpha, 6)),
        },
    })
}

/// PNG files for tests, written with the same deflate library.
#[doc(hidden)]
pub mod fixtures {
    /// A PNG of `width`×`height` with colour type `color`, bit depth 8 (or
    /// `depth` for palettes), `pixel(x, y)` giving each pixel's samples
    /// (palette: the index), filtered with `filter` on every row.
    pub fn png(
        width: u32,
        height: u32,
        color: u8,
        depth: u8,
        chunks: &[(&[u8; 4], Vec<u8>)],
        pixel: impl Fn(u32, u32) -> Vec<u8>,
    ) -> Vec<u8> {
        let mut raw = Vec::new();
        for y in 0..height {
            raw.push(0);
            let samples: Vec<u8> = (0..width).flat_map(|x| pixel(x, y)).collect();
            if depth < 8 {
                let per = 8 / depth as usize;
                for group in samples.chunks(per) {
                    let mut b = 0u8;
                    for (i, v) in group.iter().enumerate() {
                        b |= v << (8 - depth as usize * (i + 1));
                    }
                    raw.push(b);
                }
            } else {
                raw.extend(samples);
            }
        }
        let mut out = super::PNG_SIGNATURE.to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend(width.to_be_bytes());
        ihdr.extend(height.to_be_bytes());
        ihdr.extend([depth, color, 0, 0, 0]);
        let mut all: Vec<(&[u8; 4], Vec<u8>)> = vec![(b"IHDR", ihdr)];
        all.extend(chunks.iter().cloned());
        all.push((b"IDAT", miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6)));
        all.push((b"IEND", Vec::new()));
        for (kind, data) in all {
            out.extend((data.len() as u32).to_be_bytes());
            out.extend(kind.iter());
            out.extend(&data);
            let mut crc_input = kind.to_vec();
            crc_input.extend(&data);
            out.extend(crc32(&crc_input).to_be_bytes());
        }
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // test code
    use super::fixtures::png as make_png;
    use super::*;

    fn inflate(b: &[u8]) -> Vec<u8> {
        miniz_oxide::inflate::decompress_to_vec_zlib(b).unwrap()
    }

    #[test]
    fn an_rgba_png_becomes_rgb_samples_and_an_alpha_mask() {
        let bytes = make_png(3, 2, 6, 8, &[], |x, y| {
            vec![x as u8 * 10, y as u8 * 20, 7, if x == 0 { 0 } else { 255 }]
        });
        let img = decode(&bytes).unwrap();
        assert_eq!((img.width, img.height), (3, 2));
        let ImageData::Flate {
            samples,
            components,
            alpha,
        } = img.data
        else {
            panic!("flate")
        };
        assert_eq!(components, 3);
        assert_eq!(
            inflate(&samples),
            vec![0, 0, 7, 10, 0, 7, 20, 0, 7, 0, 20, 7, 10, 20, 7, 20, 20, 7]
        );
        assert_eq!(inflate(&alpha.unwrap()), vec![0, 255, 255, 0, 255, 255]);
    }

    #[test]
    fn a_palette_png_of_two_bits_with_transparency_is_expanded() {
        let plte = vec![255, 0, 0, 0, 255, 0, 0, 0, 255];
        let bytes = make_png(
            5,
            1,
            3,
            2,
            &[(b"PLTE", plte), (b"tRNS", vec![255, 128])],
            |x, _| vec![(x % 3) as u8],
        );
        let img = decode(&bytes).unwrap();
        let ImageData::Flate { samples, alpha, .. } = img.data else {
            panic!("flate")
        };
        assert_eq!(
            inflate(&samples),
            vec![255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 0, 0, 255, 0]
        );
        assert_eq!(inflate(&alpha.unwrap()), vec![255, 128, 255, 255, 128]);
    }

    #[test]
    fn an_opaque_gray_png_has_no_mask_and_filters_are_undone() {
        // Row filter 2 (up) written by hand: the second row repeats the first.
        let mut bytes = make_png(2, 2, 0, 8, &[], |x, _| vec![100 + x as u8]);
        let img = decode(&bytes).unwrap();
        let ImageData::Flate {
            samples,
            components,
            alpha,
        } = img.data
        else {
            panic!("flate")
        };
        assert_eq!((components, alpha), (1, None));
        assert_eq!(inflate(&samples), vec![100, 101, 100, 101]);
        let raw = [0u8, 100, 101, 2, 0, 0];
        let idat = miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6);
        let start = bytes.windows(4).position(|w| w == b"IDAT").unwrap() - 4;
        bytes.truncate(start);
        bytes.extend((idat.len() as u32).to_be_bytes());
        bytes.extend(b"IDAT");
        bytes.extend(&idat);
        bytes.extend([0; 4]);
        bytes.extend([0, 0, 0, 0]);
        bytes.extend(b"IEND");
        bytes.extend([0; 4]);
        let ImageData::Flate { samples, .. } = decode(&bytes).unwrap().data else {
            panic!("flate")
        };
        assert_eq!(inflate(&samples), vec![100, 101, 100, 101]);
    }

    #[test]
    fn jpeg_size_and_colours_come_from_the_frame_header() {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0];
        jpeg.extend([0xFF, 0xC2, 0, 17, 8, 0, 30, 0, 40, 3]);
        jpeg.extend([1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        jpeg.extend([0xFF, 0xD9]);
        let img = decode(&jpeg).unwrap();
        assert_eq!((img.width, img.height), (40, 30));
        assert!(matches!(
            img.data,
            ImageData::Jpeg {
                components: 3,
                inverted: false,
                ..
            }
        ));
    }

    #[test]
    fn oversized_broken_and_foreign_images_are_refused() {
        let big = make_png(2001, 1, 0, 8, &[], |_, _| vec![0]);
        assert_eq!(decode(&big), Err(ImageError::TooBig(2001, 1)));
        assert_eq!(decode(b"GIF89a...."), Err(ImageError::Format));
        assert_eq!(
            decode(b"<html>pas une image</html>"),
            Err(ImageError::Format)
        );
        let good = make_png(4, 4, 2, 8, &[], |_, _| vec![1, 2, 3]);
        for cut in [9, 20, 33, good.len() - 20] {
            assert!(decode(&good[..cut]).is_err(), "cut at {cut}");
        }
        assert!(decode(&[0xFF, 0xD8, 0xFF, 0xD9]).is_err());
        assert!(decode(&[0xFF, 0xD8, 0xFF, 0xC0, 0, 40]).is_err());
        // A palette index outside the palette.
        let bad = make_png(1, 1, 3, 8, &[(b"PLTE", vec![0, 0, 0])], |_, _| vec![5]);
        assert!(decode(&bad).is_err());
    }
}
