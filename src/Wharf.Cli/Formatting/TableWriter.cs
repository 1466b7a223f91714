using System.Text;

namespace Wharf.Cli.Formatting;

/// <summary>
/// Column alignment like Go's text/tabwriter as docker configures it (minwidth 10, padding 3, spaces): each
/// cell except the last in a row is padded to the widest cell of its column plus 3.
/// </summary>
internal sealed class TableWriter
{
    private const int MinWidth = 10;
    private const int Padding = 3;

    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public string Render()
    {
        var columns = _rows.Count == 0 ? 0 : _rows.Max(r => r.Length);
        var widths = new int[columns];
        foreach (var row in _rows)
        {
            for (var c = 0; c < row.Length - 1; c++)
            {
                widths[c] = Math.Max(widths[c], Math.Max(MinWidth, row[c].Length + Padding));
            }
        }

        var sb = new StringBuilder();
        foreach (var row in _rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                if (c < row.Length - 1)
                {
                    sb.Append(row[c].PadRight(widths[c]));
                }
                else
                {
                    sb.Append(row[c]);
                }
            }

            // tabwriter leaves trailing padding out when the last cell is empty; trim so lines match.
            while (sb.Length > 0 && sb[^1] == ' ')
            {
                sb.Length--;
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
