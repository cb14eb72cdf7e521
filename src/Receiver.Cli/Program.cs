using Receiver.Cli;

// Ctrl-C cancels the running point; the command then prints what was measured and exits 130.
using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (interrupted.IsCancellationRequested) return; // a second Ctrl-C ends the process at once
    e.Cancel = true;
    interrupted.Cancel();
};
return await Cli.RunAsync(args, Console.Out, Console.Error, interrupted.Token);
