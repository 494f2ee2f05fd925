namespace OpenUM.AdminApi.Tests;

/// <summary>The objects every test starts from: one of each noun, made by the CLI.</summary>
internal static class Setup
{
    public static readonly string[][] OneOfEach =
    [
        ["dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4"],
        ["gateway", "new", "--name", "pbx1", "--address", "192.0.2.10", "--dial-plan", "Contoso"],
        ["mailbox", "new", "--extension", "1000", "--dial-plan", "Contoso", "--email", "user1000@example.test"],
        ["mailboxpolicy", "new", "--name", "Staff", "--dial-plan", "Contoso"],
        ["autoattendant", "new", "--name", "Reception", "--dial-plan", "Contoso"],
    ];
}
