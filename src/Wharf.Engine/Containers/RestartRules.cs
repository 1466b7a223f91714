using Wharf.Api.Containers;

namespace Wharf.Engine.Containers;

/// <summary>Docker's restart manager rules: whether an exited container comes back and after how long.</summary>
public static class RestartRules
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan GoodRun = TimeSpan.FromSeconds(10);

    /// <summary>The policy's answer for an exit the user did not cause. <paramref name="policyRestarts"/> counts
    /// the restarts since the user last started it (what on-failure:N limits).</summary>
    public static bool ShouldRestart(RestartPolicy policy, int exitCode, int policyRestarts) => policy.Name switch
    {
        "always" or "unless-stopped" => true,
        "on-failure" => exitCode != 0 && (policy.MaximumRetryCount == 0 || policyRestarts < policy.MaximumRetryCount),
        _ => false,
    };

    /// <summary>100 ms for the first restart and after a run of at least 10 s, otherwise double the previous
    /// delay, never more than a minute.</summary>
    public static TimeSpan NextDelay(TimeSpan previous, TimeSpan ranFor)
    {
        if (previous <= TimeSpan.Zero || ranFor >= GoodRun) return First;
        var doubled = previous * 2;
        return doubled > Max ? Max : doubled;
    }
}
