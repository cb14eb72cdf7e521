using Receiver.Cli;

// Ctrl-C cancels the running point; the command then prints what was measured and exits 130.
using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (interrupted.IsCancellationRequested) return; // a second Ctrl-C ends the process at once
    e.Cancel = true;
    interrupted.Cancel();
};
var exitCode = await Cli.RunAsync(args, Console.Out, Console.Error, interrupted.Token);
// Closed sockets still deliver what they were handed within the drain deadline (their linger); NetMQ's I/O threads
// are background threads, so the process waits for them here, at its very end (never in-process: cleaning up
// NetMQ ends every socket of the process), and never longer than 10 s (cleanup waits for good on a socket left open).
await Task.Run(() => NetMQ.NetMQConfig.Cleanup(block: true)).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
return exitCode;
