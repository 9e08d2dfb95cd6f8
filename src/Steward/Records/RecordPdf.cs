using System.Globalization;
using System.Text;
using System.Text.Json;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace Steward.Records;

/// <summary>
/// A record version as a PDF (Art. 30(3): in writing, including in electronic form), drawn with PDFsharp from the
/// same stored JSON the HTML page shows, so the PDF of a version never differs from the version.
/// </summary>
public static class RecordPdf
{
    private const double Margin = 50;
    private static readonly Lock FontLock = new();

    public static byte[] Render(RecordsOfProcessing.Versioned v)
    {
        UseSystemFonts();
        using var document = new PdfDocument();
        document.Info.Title = RecordsOfProcessing.Title(v.Kind) + ", version " + v.Version.ToString(CultureInfo.InvariantCulture);
        document.Info.Subject = "SHA-256 " + v.Sha256;
        var writer = new Writer(document);
        writer.Line(RecordsOfProcessing.Title(v.Kind), 0, writer.Heading);
        writer.Line($"Version {v.Version}, generated {v.GeneratedAt.ToString("u", CultureInfo.InvariantCulture)}", 0, writer.Small);
        writer.Line("SHA-256 " + v.Sha256, 0, writer.Small);
        writer.Gap();
        Walk(writer, v.Record, 0);
        writer.Close();
        using var pdf = new MemoryStream();
        document.Save(pdf, false);
        return pdf.ToArray();
    }

    private static void Walk(Writer w, JsonElement e, int depth)
    {
        if (e.ValueKind == JsonValueKind.Object)
            foreach (var p in e.EnumerateObject())
            {
                if (p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    w.Line(Label(p.Name), depth, w.Bold);
                    Walk(w, p.Value, depth + 1);
                }
                else w.Line(Label(p.Name) + ": " + Scalar(p.Value), depth, w.Body);
            }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            if (e.GetArrayLength() == 0) w.Line("none", depth, w.Body);
            foreach (var item in e.EnumerateArray())
                if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    Walk(w, item, depth);
                    w.Gap();
                }
                else w.Line("• " + Scalar(item), depth, w.Body);
        }
        else w.Line(Scalar(e), depth, w.Body);
    }

    private static string Scalar(JsonElement e) => e.ValueKind == JsonValueKind.Null ? "—" : e.ToString();

    /// <summary>"categoriesOfProcessing" → "Categories of processing".</summary>
    private static string Label(string name)
    {
        var label = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && label.Length > 0) label.Append(' ').Append(char.ToLowerInvariant(c));
            else label.Append(label.Length == 0 ? char.ToUpperInvariant(c) : c);
        }
        return label.ToString();
    }

    /// <summary>Lays lines out top to bottom, wrapping words to the page width and opening pages as needed.</summary>
    private sealed class Writer(PdfDocument document)
    {
        private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);
        public readonly XFont Heading = new(SystemFonts.Family, 15, XFontStyleEx.Bold, Unicode);
        public readonly XFont Bold = new(SystemFonts.Family, 9.5, XFontStyleEx.Bold, Unicode);
        public readonly XFont Body = new(SystemFonts.Family, 9.5, XFontStyleEx.Regular, Unicode);
        public readonly XFont Small = new(SystemFonts.Family, 8, XFontStyleEx.Regular, Unicode);
        private PdfPage? _page;
        private XGraphics? _gfx;
        private double _y;

        public void Gap() => _y += 4;

        public void Line(string text, int depth, XFont font)
        {
            var indent = Math.Min(depth, 8) * 12;
            foreach (var line in Wrap(text, font, indent))
            {
                var height = font.GetHeight() + 1.5;
                if (_gfx is null || _y + height > _page!.Height.Point - Margin) NewPage();
                _gfx!.DrawString(line, font, XBrushes.Black, new XPoint(Margin + indent, _y + font.GetHeight()));
                _y += height;
            }
        }

        private IEnumerable<string> Wrap(string text, XFont font, double indent)
        {
            if (_gfx is null) NewPage();
            var width = _page!.Width.Point - 2 * Margin - indent;
            var line = new StringBuilder();
            foreach (var word in text.Split(' '))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (line.Length > 0 && _gfx!.MeasureString(candidate, font).Width > width)
                {
                    yield return line.ToString();
                    line.Clear().Append(word);
                }
                else line.Clear().Append(candidate);
            }
            yield return line.ToString();
        }

        private void NewPage()
        {
            _gfx?.Dispose();
            _page = document.AddPage();
            _page.Size = PdfSharp.PageSize.A4;
            _gfx = XGraphics.FromPdfPage(_page);
            _y = Margin;
        }

        public void Close() => _gfx?.Dispose();
    }

    private static void UseSystemFonts()
    {
        lock (FontLock)
            GlobalFontSettings.FontResolver ??= new SystemFonts();
    }

    /// <summary>
    /// The server has no fonts of its own: use DejaVu Sans (Debian's fonts-dejavu-core, in the base image) or
    /// Liberation Sans, wherever the system keeps them. Bold is DejaVu's bold face or simulated.
    /// </summary>
    private sealed class SystemFonts : IFontResolver
    {
        public const string Family = "Steward Sans";

        private static readonly string[] Folders = ["/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts", @"C:\Windows\Fonts"];
        private static readonly Lazy<(string? Regular, string? Bold)> Files = new(Find);

        private static (string?, string?) Find()
        {
            string? Look(string name) => Folders.Where(Directory.Exists)
                .SelectMany(f => Directory.EnumerateFiles(f, name, SearchOption.AllDirectories)).FirstOrDefault();
            var regular = Look("DejaVuSans.ttf") ?? Look("LiberationSans-Regular.ttf") ?? Look("arial.ttf");
            var bold = regular is null ? null : Look(Path.GetFileName(regular) switch
            {
                "DejaVuSans.ttf" => "DejaVuSans-Bold.ttf",
                "LiberationSans-Regular.ttf" => "LiberationSans-Bold.ttf",
                _ => "arialbd.ttf",
            });
            return (regular, bold);
        }

        public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
            bold && Files.Value.Bold is not null ? new FontResolverInfo("bold") : new FontResolverInfo("regular", bold, italic);

        public byte[] GetFont(string faceName) =>
            File.ReadAllBytes((faceName == "bold" ? Files.Value.Bold : Files.Value.Regular)
                ?? throw new InvalidOperationException("No TrueType font found for PDF output: install fonts-dejavu-core."));
    }
}
